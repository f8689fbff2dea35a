// One PostgreSQL database per test file, so that files can run in parallel without seeing each
// other's rows. scripts/test.mjs loads this module into every test process (node --import) and
// sets TEST_DATABASE_PER_FILE=1 when DATABASE_URL is set: in a test file's process it creates an
// empty database named after the file (dropping a leftover of an interrupted run first) and points
// DATABASE_URL at it; the application migrates it at start-up as in production. scripts/test.mjs
// drops them all when the run ends. Anywhere else (the runner itself) it does nothing.
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import pg from 'pg';

/** The database for one test file: the base database's name, the file's, and a short hash (63 bytes at most). */
export function fileDatabaseName(baseUrl, file) {
  const base = decodeURIComponent(new URL(baseUrl).pathname.slice(1)) || 'postgres';
  const path = relative(process.cwd(), file).replace(/\\/g, '/');
  const slug = path
    .replace(/^dist\//, '')
    .replace(/\.(e2e-)?spec\.js$/, '')
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase();
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 6);
  return `${base.slice(0, 24)}_${slug.slice(-30)}_${hash}`;
}

export function withDatabase(url, name) {
  const next = new URL(url);
  next.pathname = `/${encodeURIComponent(name)}`;
  return next.toString();
}

/** Runs `statements` on the base database (the one DATABASE_URL names, which the caller may use). */
export async function onBaseDatabase(baseUrl, statements) {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

const file = process.argv[1] ?? '';
if (process.env.TEST_DATABASE_PER_FILE === '1' && process.env.DATABASE_URL && /\.(e2e-)?spec\.js$/.test(file)) {
  const baseUrl = process.env.DATABASE_URL;
  const name = fileDatabaseName(baseUrl, file);
  await onBaseDatabase(baseUrl, [`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, `CREATE DATABASE "${name}"`]);
  process.env.DATABASE_URL = withDatabase(baseUrl, name);
}
