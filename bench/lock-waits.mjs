// What the PostgreSQL backends serving one database wait on, sampled while a phase runs: for the
// `failstorm` phase of bench/run.mjs, whether a storm of failed logins (each an audit row) makes
// anything queue on a lock. PostgreSQL keeps no running total of lock waits, so this looks often.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * Starts sampling `database` every `intervalMs` on a connection of its own (to `adminUrl`, which
 * names another database, so the sampler never sees itself). `stop()` ends it and answers the
 * samples taken, the lock requests seen not granted (heavyweight locks: a row, a table, a
 * transaction id; by lock type and mode in `ungranted`), and how often an active backend was seen waiting, by wait event (`Lock:…` is a
 * heavyweight lock; `LWLock:…` PostgreSQL's internal latches; `IO:…` reads, writes, WAL flushes).
 */
export async function sampleWaits(adminUrl, database, intervalMs = 100) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const summary = {
    samples: 0,
    activeBackendsSeen: 0,
    ungrantedLocks: 0,
    samplesWithUngrantedLocks: 0,
    maxUngrantedLocks: 0,
    ungranted: {},
    waits: {},
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const [{ rows: locks }, { rows: active }] = await Promise.all([
        client.query(
          `SELECT l.locktype, l.mode, count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE NOT l.granted AND a.datname = $1 GROUP BY 1, 2`,
          [database],
        ),
        client.query(
          `SELECT wait_event_type, wait_event FROM pg_stat_activity
           WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
          [database],
        ),
      ]);
      const ungranted = locks.reduce((n, r) => n + r.n, 0);
      summary.samples += 1;
      summary.ungrantedLocks += ungranted;
      summary.maxUngrantedLocks = Math.max(summary.maxUngrantedLocks, ungranted);
      if (ungranted > 0) summary.samplesWithUngrantedLocks += 1;
      for (const r of locks) add(summary.ungranted, `${r.locktype} ${r.mode}`, r.n);
      summary.activeBackendsSeen += active.length;
      for (const { wait_event_type: type, wait_event: event } of active) {
        if (type !== null) add(summary.waits, `${type}:${event}`, 1);
      }
      await sleep(Math.max(0, intervalMs - (performance.now() - started)));
    }
  })();
  // A failed sample ends the loop; the error is the caller's at stop().
  const ended = loop.then(
    () => undefined,
    (error) => error,
  );
  return {
    async stop() {
      running = false;
      const error = await ended;
      await client.end();
      if (error) throw error;
      return summary;
    },
  };
}

const add = (counts, key, n) => (counts[key] = (counts[key] ?? 0) + n);

/** Two samplers' summaries as one. */
export function addWaits(a, b) {
  const waits = { ...a.waits };
  const ungranted = { ...a.ungranted };
  for (const [k, v] of Object.entries(b.waits)) add(waits, k, v);
  for (const [k, v] of Object.entries(b.ungranted)) add(ungranted, k, v);
  return {
    samples: a.samples + b.samples,
    activeBackendsSeen: a.activeBackendsSeen + b.activeBackendsSeen,
    ungrantedLocks: a.ungrantedLocks + b.ungrantedLocks,
    samplesWithUngrantedLocks: a.samplesWithUngrantedLocks + b.samplesWithUngrantedLocks,
    maxUngrantedLocks: Math.max(a.maxUngrantedLocks, b.maxUngrantedLocks),
    ungranted,
    waits,
  };
}
