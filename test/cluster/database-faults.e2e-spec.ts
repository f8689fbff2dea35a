import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Instance } from '../support/instance.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';
import { PASSWORD, uniqueEmail } from '../support/factories.js';

/**
 * PostgreSQL's connections reset again and again while reads, writes, logins and refreshes run
 * at once, as a failover or a flaky network does it: every request is answered (503 when the
 * fault hits it), the process stays up, serves again once the database is back, and every write
 * it acknowledged is there. Needs `DATABASE_URL`.
 */
const DATABASE_URL = process.env.DATABASE_URL!;
const NO_HANG_MS = 15_000;
const USERS = 4;
const WORKERS_PER_USER = 2;
/** How long each outage lasts and how long the database is back before the next one, in ms. */
const OUTAGES = [
  [5, 120],
  [25, 200],
  [60, 150],
  [1, 250],
  [40, 120],
  [15, 300],
] as const;

interface Account {
  email: string;
  access: string;
  refresh: string;
  /** The last refresh of `refresh` got no answer we can trust: it may or may not have been spent. */
  refreshInDoubt: boolean;
  /** One refresh at a time per account, as a client must: two at once with one token are reuse. */
  refreshing: boolean;
  acknowledged: Set<string>;
  attempted: Set<string>;
}

describe('database connections reset while requests run', () => {
  let proxy: TcpProxy;
  let instance: Instance;
  before(async () => {
    proxy = await TcpProxy.inFrontOf(DATABASE_URL);
    instance = await Instance.start({
      DATABASE_URL: proxy.url(DATABASE_URL),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_LOGIN_FAILURES: '100000',
      RATE_LIMIT_REGISTER_PER_HOUR: '100000',
      RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
      // Each registration also spends the client's mail budget (its verification mail): at the
      // default 20 an hour, a fast machine's fault loop ran out of it and got 429s.
      RATE_LIMIT_MAIL_PER_HOUR: '100000',
    });
  });
  after(async () => {
    await instance?.stop();
    await proxy?.close();
  });

  const call = async (path: string, init: RequestInit & { token?: string; json?: unknown; form?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(init.json)];
    if (init.form) [headers['content-type'], body] = ['application/x-www-form-urlencoded', new URLSearchParams(init.form).toString()];
    const response = await fetch(`${instance.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(NO_HANG_MS),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  it('answers every request, 503 where the fault hit it, stays up, recovers and keeps every acknowledged write', async () => {
    const accounts: Account[] = [];
    for (let i = 0; i < USERS; i++) {
      const email = uniqueEmail('fault');
      assert.equal((await call('/auth/register', { method: 'POST', json: { email, password: PASSWORD } })).status, 201);
      const token = await call('/auth/login', { method: 'POST', form: { username: email, password: PASSWORD } });
      assert.equal(token.status, 200);
      accounts.push({
        email,
        access: token.body.access_token as string,
        refresh: token.body.refresh_token as string,
        refreshInDoubt: false,
        refreshing: false,
        acknowledged: new Set(),
        attempted: new Set(),
      });
    }

    const unexpected: string[] = [];
    const seen = new Map<string, number>();
    const expect = (what: string, response: { status: number; type: string; body: Record<string, unknown> }, allowed: number[]) => {
      seen.set(`${what} ${response.status}`, (seen.get(`${what} ${response.status}`) ?? 0) + 1);
      if (!allowed.includes(response.status)) unexpected.push(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
      if (response.status >= 400 && !response.type.startsWith('application/problem+json'))
        unexpected.push(`${what}: ${response.status} not problem+json`);
    };

    let running = true;
    let serial = 0;
    const operations = [
      async (account: Account) => expect('list', await call('/todos', { token: account.access }), [200, 503]),
      async (account: Account) => {
        const title = `todo ${(serial += 1)}`;
        account.attempted.add(title);
        const response = await call('/todos', { method: 'POST', token: account.access, json: { title } });
        expect('create', response, [201, 503]);
        if (response.status === 201) {
          assert.equal(response.body.title, title);
          account.acknowledged.add(title);
        }
      },
      async (account: Account) => {
        // An update inside a transaction: the row may be gone only if it never existed.
        const [title] = account.acknowledged;
        if (!title) return;
        const list = await call('/todos?limit=1', { token: account.access });
        const [todo] = list.status === 200 ? (list.body as unknown as { id: number }[]) : [];
        if (todo)
          expect(
            'update',
            await call(`/todos/${todo.id}`, { method: 'PATCH', token: account.access, json: { completed: true } }),
            [200, 503],
          );
      },
      async () => {
        // A registration whose answer was lost may have committed: each address is tried once.
        expect(
          'register',
          await call('/auth/register', { method: 'POST', json: { email: uniqueEmail('fault-new'), password: PASSWORD } }),
          [201, 503],
        );
      },
      async (account: Account) => {
        const response = await call('/auth/login', { method: 'POST', form: { username: account.email, password: PASSWORD } });
        expect('login', response, [200, 503]);
        if (response.status === 200)
          [account.access, account.refresh, account.refreshInDoubt] = [
            response.body.access_token as string,
            response.body.refresh_token as string,
            false,
          ];
      },
      async (account: Account) => {
        if (account.refreshing) return;
        account.refreshing = true;
        try {
          const presented = account.refresh;
          const response = await call('/auth/refresh', { method: 'POST', json: { refresh_token: presented } });
          // A refresh the database committed but whose answer the fault took leaves the token
          // spent; presenting it again is then reuse. Only then may a refresh be refused.
          expect('refresh', response, account.refreshInDoubt ? [200, 401, 503] : [200, 503]);
          if (account.refresh !== presented) return;
          if (response.status === 200)
            [account.access, account.refresh, account.refreshInDoubt] = [
              response.body.access_token as string,
              response.body.refresh_token as string,
              false,
            ];
          else if (response.status === 503) account.refreshInDoubt = true;
          else if (response.status === 401) {
            const again = await call('/auth/login', { method: 'POST', form: { username: account.email, password: PASSWORD } });
            if (again.status === 200)
              [account.access, account.refresh, account.refreshInDoubt] = [
                again.body.access_token as string,
                again.body.refresh_token as string,
                false,
              ];
          }
        } finally {
          account.refreshing = false;
        }
      },
    ];
    const worker = async (account: Account, offset: number) => {
      for (let step = offset; running; step++) {
        await operations[step % operations.length](account);
        // A session ended by a reuse detection leaves this access token refused: sign in again.
        if ((await call('/users/me', { token: account.access })).status === 401) {
          const again = await call('/auth/login', { method: 'POST', form: { username: account.email, password: PASSWORD } });
          if (again.status === 200)
            [account.access, account.refresh, account.refreshInDoubt] = [
              again.body.access_token as string,
              again.body.refresh_token as string,
              false,
            ];
        }
      }
    };
    const workers = accounts.flatMap((account, i) => Array.from({ length: WORKERS_PER_USER }, (_, w) => worker(account, i + w * 2)));

    let exited = false;
    void instance.exitCode().then(() => (exited = true));
    const acknowledged = () => accounts.reduce((sum, account) => sum + account.acknowledged.size, 0);
    for (const [down, up] of OUTAGES) {
      // Each outage falls among writes: the one before it has been followed by an acknowledged one.
      const before = acknowledged();
      await until('a write is acknowledged between outages', () => exited || acknowledged() > before, { ms: 60_000, every: 10 });
      assert.equal(exited, false, `the server exited during the outages:\n${instance.logs().slice(-4_000)}`);
      await proxy.cut();
      await sleep(down);
      await proxy.restore();
      await sleep(up);
    }
    running = false;
    await Promise.all(workers);

    assert.equal(exited, false, `the server exited:\n${instance.logs().slice(-4_000)}`);
    assert.deepEqual(unexpected, [], `unexpected answers; all answers: ${JSON.stringify([...seen])}`);
    assert.ok((seen.get('create 503') ?? 0) + (seen.get('list 503') ?? 0) + (seen.get('login 503') ?? 0) > 0, 'some requests met a fault');
    assert.ok((seen.get('create 201') ?? 0) > 0, 'some writes were acknowledged');

    await until('the instance is ready again', async () => (await call('/health/ready')).status === 200);
    for (const account of accounts) {
      const login = await call('/auth/login', { method: 'POST', form: { username: account.email, password: PASSWORD } });
      assert.equal(login.status, 200);
      const titles = new Set<string>();
      for (let offset = 0; ; offset += 100) {
        const page = await call(`/todos?limit=100&offset=${offset}`, { token: login.body.access_token as string });
        assert.equal(page.status, 200);
        const todos = page.body as unknown as { title: string }[];
        for (const todo of todos) titles.add(todo.title);
        if (todos.length < 100) break;
      }
      for (const title of account.acknowledged) assert.ok(titles.has(title), `acknowledged "${title}" is missing`);
      for (const title of titles) assert.ok(account.attempted.has(title), `"${title}" was never sent`);
    }

    // Whatever failed on the way, no log line carries a query's parameters.
    const logs = instance.logs();
    assert.doesNotMatch(logs, /"parameters"|\$argon2/);
    for (const account of accounts) assert.ok(!logs.includes(account.email), `${account.email} logged`);
  });
});

describe('logins while PostgreSQL is away', () => {
  let proxy: TcpProxy;
  let instance: Instance;
  before(async () => {
    proxy = await TcpProxy.inFrontOf(DATABASE_URL);
    instance = await Instance.start({
      DATABASE_URL: proxy.url(DATABASE_URL),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      RATE_LIMIT_LOGIN_FAILURES: '2',
    });
  });
  after(async () => {
    await instance?.stop();
    await proxy?.close();
  });

  it("do not count against the account's failure limit", async () => {
    const email = uniqueEmail('outage');
    const login = () => instance.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD }).timeout(NO_HANG_MS);
    assert.equal((await instance.http.post('/auth/register').send({ email, password: PASSWORD })).status, 201);
    await proxy.cut();
    for (let i = 0; i < 4; i++) assert.equal((await login()).status, 503);
    await proxy.restore();
    await until(
      'the instance is ready again',
      async () => (await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(NO_HANG_MS) })).status === 200,
    );
    const after = await login();
    assert.equal(after.status, 200, after.text);
  });
});

describe('start-up while PostgreSQL is away', () => {
  let proxy: TcpProxy | undefined;
  let instance: Instance | undefined;
  after(async () => {
    await instance?.stop();
    await proxy?.close();
  });

  it('retries until the database answers, then runs its migrations under their lock and becomes ready', async () => {
    // Where the database will be: for now a server that resets every connection, and counts them.
    let attempts = 0;
    const unreachable = createServer((socket) => {
      attempts += 1;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => unreachable.listen(0, '127.0.0.1', resolve));
    const port = (unreachable.address() as AddressInfo).port;
    const url = new URL(DATABASE_URL);
    url.host = `127.0.0.1:${port}`;
    const started = await Instance.start({ DATABASE_URL: url.toString(), JWT_SECRET: randomBytes(48).toString('base64url') }, 'spawned');
    instance = started;
    await until('the instance has tried to connect', () => attempts > 0, { ms: 30_000 });
    await new Promise<void>((resolve) => unreachable.close(() => resolve()));
    proxy = await TcpProxy.inFrontOf(DATABASE_URL, port);
    await until(
      () => `the instance is ready:\n${started.logs().slice(-3_000)}`,
      async () => started.listening && (await fetch(`${started.url}/health/ready`).catch(() => undefined))?.status === 200,
      { ms: 40_000 },
    );
    assert.equal((await started.http.post('/auth/register').send({ email: uniqueEmail('late-start'), password: PASSWORD })).status, 201);
  });
});
