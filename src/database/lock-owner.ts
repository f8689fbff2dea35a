import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** The process that holds a lock, as much as this host can tell about it later. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Linux only: changes on every boot, so a lock older than the boot has no owner any more. */
  bootId?: string;
  /** Linux only: pids are only comparable within one pid namespace (one container). */
  pidNamespace?: string;
  /** Linux only: the start time in /proc/<pid>/stat, which tells the owner from a later process given its pid. */
  startTime?: string;
}

export type OwnerState = 'running' | 'gone' | 'unknown';

export interface ProcessProbe {
  exists(pid: number): boolean;
  startTime(pid: number): string | undefined;
}

function attempt(read: () => string): string | undefined {
  try {
    return read().trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat; the command name before it is in parentheses and may hold spaces. */
function startTimeOf(pid: number): string | undefined {
  const stat = attempt(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

export const systemProbe: ProcessProbe = {
  exists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it runs, as another user.
      return (error as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  },
  startTime: startTimeOf,
};

export function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: attempt(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    pidNamespace: attempt(() => readlinkSync('/proc/self/ns/pid')),
    startTime: startTimeOf(process.pid),
  };
}

/** The owner a lock's record names, or undefined for a record that is missing or malformed. */
export function parseOwner(text: string | undefined): LockOwner | undefined {
  if (text === undefined) return undefined;
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    // A pid of 0 or below would make the liveness probe signal a whole process group.
    if (!Number.isSafeInteger(owner.pid) || (owner.pid as number) <= 0 || typeof owner.hostname !== 'string') return undefined;
    const string = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return {
      pid: owner.pid as number,
      hostname: owner.hostname,
      bootId: string(owner.bootId),
      pidNamespace: string(owner.pidNamespace),
      startTime: string(owner.startTime),
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether the owner of a lock still runs. `gone` only when this host can be sure: same host and
 * pid namespace, and the pid is free or now belongs to a process that started at another time
 * (or the host has rebooted since). A lock held from another host or container is `unknown`.
 * Without /proc (macOS) a reused pid reads as `running`: the lock is then refused until it goes
 * stale by age. Two machines with one hostname sharing a data directory would be taken for one.
 */
export function ownerState(owner: LockOwner | undefined, here: LockOwner, probe: ProcessProbe = systemProbe): OwnerState {
  if (!owner || owner.hostname !== here.hostname) return 'unknown';
  if (owner.bootId && here.bootId && owner.bootId !== here.bootId) return 'gone';
  if (owner.pidNamespace !== here.pidNamespace) return 'unknown';
  if (!probe.exists(owner.pid)) return 'gone';
  if (owner.startTime) {
    const startTime = probe.startTime(owner.pid);
    if (startTime !== undefined && startTime !== owner.startTime) return 'gone';
  }
  return 'running';
}
