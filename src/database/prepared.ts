import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';

const statementNames = new Map<string, string>();

/** One name per statement text, so that each connection parses and plans it once. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `app_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * PostgreSQL refuses to run a prepared statement once a migration has changed the type of a column
 * it returns (`bigint` ids in place of `integer`): "cached plan must not change result type", on
 * every connection that prepared it, for as long as the connection lives. The text gets a new
 * name (the one that failed, renamed once however many requests meet it), which each connection
 * prepares afresh against the schema as it now is.
 */
function renameStaleStatement(text: string, stale: string): void {
  if (statementNames.get(text) === stale) statementNames.set(text, `${stale.slice(0, 26)}_${randomBytes(6).toString('base64url')}`);
}

/** SQLSTATE 0A000 (`feature_not_supported`): how a named statement that ran before meets a changed result type. */
const STALE_RESULT_TYPE = '0A000';

/** The pg pool under TypeORM's PostgreSQL driver (the embedded database's too); none before initialisation. */
export function pgPool(dataSource: DataSource): pg.Pool | undefined {
  return (dataSource.driver as unknown as { master?: pg.Pool }).master;
}

/**
 * An error response from the server (it carries a SQLSTATE and a severity), after which the
 * connection is still good. Duck-typed: PGlite's adapter raises these from its own copy of the
 * protocol code, not as `pg.DatabaseError`.
 */
function reportedByPostgres(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

/**
 * Runs fixed SQL on a hot path as a named prepared statement on a connection of TypeORM's own pg
 * pool: PostgreSQL then parses and plans it once per connection, not on every request, which
 * measured 0.25 → 0.08 ms of PostgreSQL's CPU for the per-request user and session load. `text`
 * must be fixed SQL built from code, never from client input, since each distinct text is
 * remembered; values are bound parameters. An error PostgreSQL reports (a constraint, a bad
 * value) leaves the connection in the pool with its statements; any other failure discards it.
 * Failures surface as TypeORM's `QueryFailedError`, as `EntityManager.query` reports them. Only
 * a repository's own manager will do: a transaction's would be left out of its transaction.
 */
export async function preparedQuery<Row = Record<string, unknown>>(
  manager: EntityManager,
  text: string,
  values: unknown[],
  /**
   * `per-call`: an unnamed statement, planned with its values every time, for a statement whose
   * best plan depends on them (a search: a rare term reads the trigram index, a common one walks
   * the sort index), which a plan made once for any value cannot know.
   */
  { plan = 'reused' }: { plan?: 'reused' | 'per-call' } = {},
): Promise<Row[]> {
  if (manager.queryRunner)
    throw new Error("preparedQuery runs on the pool, outside any transaction: use the transaction's own manager.query");
  let client: pg.PoolClient;
  try {
    client = await pgPool(manager.connection)!.connect();
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
  // A checked-out client has no listener of the pool's: a connection lost now (a reset, a
  // failover) would be an unhandled 'error' event, which ends the process. The query in flight
  // fails by itself; the listener keeps the error from going further and the client from the pool.
  let broken: Error | undefined;
  const onError = (error: Error) => (broken ??= error);
  client.on('error', onError);
  try {
    if (plan === 'per-call') return (await client.query({ text, values })).rows as Row[];
    const name = statementName(text);
    try {
      return (await client.query({ name, text, values })).rows as Row[];
    } catch (error) {
      // Refused before it ran (nothing was written): once more, under a name this connection has not prepared.
      if ((error as { code?: unknown }).code !== STALE_RESULT_TYPE || !reportedByPostgres(error)) throw error;
      renameStaleStatement(text, name);
      return (await client.query({ name: statementName(text), text, values })).rows as Row[];
    }
  } catch (error) {
    if (!reportedByPostgres(error)) broken ??= error as Error;
    throw new QueryFailedError(text, values, error as Error);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
