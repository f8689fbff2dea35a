import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type pg from 'pg';
import { Instance } from '../support/instance.js';
import { connectPg } from '../support/pg-client.js';
import { until } from '../support/until.js';

const DATABASE_URL = process.env.DATABASE_URL!;
/** The key `src/database/run-migrations.ts` locks while migrations run. */
const MIGRATIONS_LOCK = 7_301_000;
/** For a statement that must not hang: the deadline catches a wait that never ends, it is no speed target. */
const NO_HANG = '20s';

/**
 * Instances starting together take turns at the migrations. A migration that builds an index
 * `CONCURRENTLY` waits for every transaction older than its build to end, the statements of the
 * instances waiting for the lock included: they must wait for it without holding a snapshot.
 */
describe('the migrations lock', () => {
  const clients: pg.Client[] = [];
  let instance: Instance | undefined;
  after(async () => {
    // Ended even when the instance's stop fails: left open, the clients keep the run from ending.
    try {
      await instance?.stop();
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  const connect = async () => {
    const client = await connectPg(DATABASE_URL);
    clients.push(client);
    return client;
  };

  it('lets the holder build an index concurrently while another instance waits for its turn', async () => {
    // As an instance running its migrations: the lock, then an index built concurrently.
    const holder = await connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK]);
    const builder = await connect();
    await builder.query('CREATE TABLE lock_probe (id integer)');
    const own = [holder, builder].map((client) => (client as unknown as { processID: number }).processID);

    const started = await Instance.start({ DATABASE_URL, JWT_SECRET: randomBytes(48).toString('base64url') }, 'spawned');
    instance = started;
    await until(
      () => `the instance asks for the migrations lock:\n${started.logs().slice(-2_000)}`,
      async () =>
        (
          await holder.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> ALL($1) AND query ILIKE '%advisory_lock%'`,
            [own],
          )
        ).rowCount! > 0,
      { ms: 30_000 },
    );

    await builder.query(`SET statement_timeout = '${NO_HANG}'`);
    await builder.query('CREATE INDEX CONCURRENTLY lock_probe_id ON lock_probe (id)');
    const [{ valid }] = (await builder.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'lock_probe_id'::regclass`))
      .rows as { valid: boolean }[];
    assert.equal(valid, true);

    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK]);
    await until(
      () => `the instance migrates and is ready:\n${started.logs().slice(-2_000)}`,
      async () => started.listening && (await fetch(`${started.url}/health/ready`).catch(() => undefined))?.status === 200,
      { ms: 60_000 },
    );
  });
});
