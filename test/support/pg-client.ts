import pg from 'pg';

/**
 * A PostgreSQL connection of the test's own, beside the app's pool: one that holds a lock or a
 * transaction open while the app runs, or looks at the database from outside. A plain node-postgres
 * client (a `bigint` reads as text, not as the app's pool reads it). The caller ends it, or lets
 * `withPgClient` do so.
 */
export async function connectPg(connectionString = process.env.DATABASE_URL): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return client;
}

/** `use` on a connection of its own, ended however `use` ends. */
export async function withPgClient<T>(use: (client: pg.Client) => Promise<T>, connectionString = process.env.DATABASE_URL): Promise<T> {
  const client = await connectPg(connectionString);
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
