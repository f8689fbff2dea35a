import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { currentOwner, ownerState, parseOwner } from './lock-owner.js';

export class DirectoryInUseError extends Error {
  constructor(readonly ownerPid?: number) {
    super('The directory is locked by another process');
  }
}

/** A lock not refreshed for this long is stale by age: the rule for owners this host cannot see. */
const STALE_MS = 15_000;

/**
 * Held for milliseconds while a process takes the directory lock; one that died holding it delays
 * the next start by `stale`, which the retries outlast.
 */
const RECORD_LOCK = { realpath: false, stale: 10_000, retries: { retries: 120, factor: 1, minTimeout: 100, maxTimeout: 100 } };

const isLocked = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ELOCKED';

function readRecord(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Locks `dir` for this process (proper-lockfile's `<dir>.lock`) and records the owner next to it
 * in `<dir>.owner`: the lock of a process that died without releasing it (kill -9, OOM, power cut)
 * is then taken over at once instead of once it is stale by age, and the lock of one that still
 * runs on this host is refused whatever its age. Resolves with the release.
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const lockPath = `${dir}.lock`;
  const recordPath = `${dir}.owner`;
  // Judging the owner, taking the lock and writing the record happen under the record's own lock,
  // so two processes starting together cannot both find the same dead owner and both take over.
  const releaseRecord = await lockfile.lock(recordPath, RECORD_LOCK).catch((error: unknown) => {
    throw isLocked(error) ? new DirectoryInUseError() : error;
  });
  try {
    const here = currentOwner();
    if (existsSync(lockPath)) {
      const owner = parseOwner(readRecord(recordPath));
      const state = ownerState(owner, here);
      if (state === 'running') throw new DirectoryInUseError(owner?.pid);
      if (state === 'gone') rmSync(lockPath, { recursive: true, force: true });
    }
    const release = await lockfile.lock(dir, { realpath: false, stale: STALE_MS, update: 5_000 }).catch((error: unknown) => {
      throw isLocked(error) ? new DirectoryInUseError() : error;
    });
    try {
      writeFileSync(recordPath, JSON.stringify(here));
    } catch (error) {
      await release();
      throw error;
    }
    return async () => {
      rmSync(recordPath, { force: true });
      await release();
    };
  } finally {
    await releaseRecord();
  }
}
