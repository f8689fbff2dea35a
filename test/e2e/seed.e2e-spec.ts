import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { DEMO_ACCOUNTS } from '../../src/seed.js';
import { Role } from '../../src/users/role.enum.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { login } from '../support/factories.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run seed` without the build: the command as a process of its own, as a developer runs it. */
async function seed(env: Record<string, string | undefined>, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'seed', ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The credentials a run printed, by email. */
function credentials(stdout: string): Map<string, string> {
  return new Map([...stdout.matchAll(/^ {2}created +\w+ +(\S+) +password: (\S+)/gm)].map(([, email, password]) => [email, password]));
}

describe('npm run seed', () => {
  // The seed runs while no server is up: on the embedded default the server would hold the database's lock.
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-seed-'));
  const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir };
  let first: Run;
  let second: Run;
  let t: TestApp;

  before(async () => {
    // A fresh database: DATABASE_URL's is shared by the suite, so its tables are emptied first.
    if (process.env.DATABASE_URL) {
      const emptying = await startTestApp();
      await emptying.reset();
      await emptying.close();
    }
    first = await seed(env);
    second = await seed(env);
    t = await startTestApp({ DATA_DIR: dataDir });
  });

  after(async () => {
    // The suite's next file finds DATABASE_URL's tables as the others leave them: empty.
    await t?.reset();
    await t?.close();
  });

  it('creates every demo account and prints its password', () => {
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual([...credentials(first.stdout).keys()].sort(), DEMO_ACCOUNTS.map((a) => a.email).sort());
  });

  it('changes nothing when run again, and says so', () => {
    assert.equal(second.code, 0, second.stderr);
    assert.equal(credentials(second.stdout).size, 0);
    assert.doesNotMatch(second.stdout, /password:/);
    for (const { email } of DEMO_ACCOUNTS)
      assert.match(second.stdout, new RegExp(`exists +\\w+ +${email.replaceAll('.', '\\.')} +left as it is`));
  });

  it('lets each demo account log in with the first run’s password and see its todos, once', async () => {
    const passwords = credentials(first.stdout);
    for (const account of DEMO_ACCOUNTS) {
      const auth = { Authorization: `Bearer ${await login(t.http, account.email, passwords.get(account.email))}` };
      const me = await t.http.get('/users/me').set(auth);
      assert.equal(me.status, 200);
      assert.deepEqual([me.body.email, me.body.role, me.body.email_verified], [account.email, account.role, true]);
      const todos = await t.http.get('/todos?sort=title').set(auth);
      assert.equal(todos.status, 200);
      const seen = (todos.body as { title: string; completed: boolean }[]).map(({ title, completed }) => ({ title, completed }));
      const seeded = account.todos.map(({ title, completed }) => ({ title, completed: completed ?? false }));
      assert.deepEqual(
        seen,
        seeded.sort((a, b) => a.title.localeCompare(b.title)),
      );
      assert.ok(seeded.some((todo) => todo.completed) && seeded.some((todo) => !todo.completed));
    }
  });

  it('makes the demo admin an admin, and no account besides the demo ones', async () => {
    const admin = DEMO_ACCOUNTS.find((a) => a.role === Role.Admin)!;
    const token = await login(t.http, admin.email, credentials(first.stdout).get(admin.email));
    const users = await t.http.get('/admin/users?limit=100').set('Authorization', `Bearer ${token}`);
    assert.equal(users.status, 200);
    assert.deepEqual((users.body as { email: string }[]).map((u) => u.email).sort(), DEMO_ACCOUNTS.map((a) => a.email).sort());
  });

  it('refuses NODE_ENV=production without --allow-production, before touching a database', async () => {
    const run = await seed({
      NODE_ENV: 'production',
      // Nothing listens there: the refusal comes before any connection.
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
      JWT_SECRET: randomBytes(48).toString('base64url'),
      // Production's own hash cost: it refuses the suite's cheap one.
      PASSWORD_HASH_MEMORY_KIB: undefined,
      PASSWORD_HASH_PASSES: undefined,
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--allow-production/);
    assert.equal(run.stdout, '');
  });
});
