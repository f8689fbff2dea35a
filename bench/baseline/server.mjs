// The bare baseline the app is measured against: node:http, a pg pool and jose, doing the work
// each benchmarked request needs (verify the HS256 access token, load its user, run the app's
// queries) with no framework, no validation library, no logging and no session check. Its login
// is the password grant's bare minimum: read the user by email, verify the argon2 hash with at
// most HASH_CONCURRENCY at once, insert the session and its refresh token in one statement, sign
// the access token; no rate limits, no failure counting, no re-check of the user. It is written
// as a careful engineer would write it bare: the key is imported once, and every query is a named
// prepared statement, so PostgreSQL parses and plans each one once per connection.
// Environment: PORT, DATABASE_URL, JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, POOL_SIZE, HASH_CONCURRENCY.
import { createHash, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { jwtVerify, SignJWT } from 'jose';
import pLimit from 'p-limit';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? '', 'utf8'));
const verifyOptions = {
  algorithms: ['HS256'],
  issuer: process.env.JWT_ISSUER ?? 'nest-auth-todos',
  audience: process.env.JWT_AUDIENCE ?? 'nest-auth-todos-api',
  typ: 'at+jwt',
};

const hashing = pLimit(Number(process.env.HASH_CONCURRENCY ?? availableParallelism()));
const ACCESS_TTL_SECONDS = 900;
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;

const TODO_COLUMNS = 'id, title, description, completed, owner_id, created_at, updated_at';

/** A named prepared statement: parsed and planned once per pooled connection. */
const query = (name, text, values) => pool.query({ name, text, values });

function send(res, status, body, headers = {}) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

async function authenticate(req) {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  try {
    const { payload } = await jwtVerify(header.slice(7), key, verifyOptions);
    const { rows } = await query('me', 'SELECT id, email, role, is_active, email_verified, created_at FROM users WHERE id = $1', [
      Number(payload.sub),
    ]);
    return rows[0]?.is_active ? rows[0] : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const readJson = async (req) => JSON.parse(await readBody(req));

async function login(req, res) {
  const form = new URLSearchParams(await readBody(req));
  const email = (form.get('username') ?? '').trim().toLowerCase();
  const password = form.get('password') ?? '';
  const { rows } = await query('login-user', 'SELECT id, hashed_password, is_active FROM users WHERE email = $1', [email]);
  const user = rows[0];
  if (!user || !(await hashing(() => argon2.verify(user.hashed_password, password))) || !user.is_active) {
    return send(res, 401, { status: 401, title: 'Unauthorized' });
  }
  const refreshToken = randomBytes(32).toString('base64url');
  const { rows: session } = await query(
    'login-session',
    `WITH s AS (
       INSERT INTO sessions (user_id, last_used_at, expires_at, user_agent, ip)
       VALUES ($1, now(), now() + make_interval(secs => $2), $3, $4) RETURNING id
     )
     INSERT INTO refresh_tokens (session_id, token_hash) SELECT id, $5 FROM s RETURNING session_id`,
    [
      user.id,
      REFRESH_TTL_SECONDS,
      req.headers['user-agent'] ?? null,
      req.socket.remoteAddress ?? null,
      createHash('sha256').update(refreshToken).digest('hex'),
    ],
  );
  const accessToken = await new SignJWT({ sid: session[0].session_id })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setSubject(String(user.id))
    .setIssuer(verifyOptions.issuer)
    .setAudience(verifyOptions.audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TTL_SECONDS}s`)
    .sign(key);
  return send(
    res,
    200,
    { access_token: accessToken, token_type: 'bearer', expires_in: ACCESS_TTL_SECONDS, refresh_token: refreshToken },
    { 'cache-control': 'no-store' },
  );
}

async function handle(req, res) {
  if (req.method === 'POST' && req.url === '/auth/login') return login(req, res);
  const user = await authenticate(req);
  if (!user) return send(res, 401, { status: 401, title: 'Unauthorized' });
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/users/me') return send(res, 200, user);
  if (req.method === 'GET' && url.pathname === '/todos') {
    const { rows } = await query(
      'todos-page',
      `SELECT ${TODO_COLUMNS} FROM todos WHERE owner_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`,
      [user.id],
    );
    const { rows: count } = await query('todos-count', 'SELECT count(*)::int AS n FROM todos WHERE owner_id = $1', [user.id]);
    return send(res, 200, rows, { 'x-total-count': String(count[0].n) });
  }
  if (req.method === 'POST' && url.pathname === '/todos') {
    const body = await readJson(req);
    if (typeof body.title !== 'string') return send(res, 422, { status: 422 });
    const { rows } = await query(
      'todo-insert',
      `INSERT INTO todos (title, description, completed, owner_id) VALUES ($1, $2, $3, $4) RETURNING ${TODO_COLUMNS}`,
      [body.title, body.description ?? null, body.completed ?? false, user.id],
    );
    return send(res, 201, rows[0]);
  }
  const match = /^\/todos\/(\d+)$/.exec(url.pathname);
  if (req.method === 'PATCH' && match) {
    const body = await readJson(req);
    const { rows } = await query(
      'todo-update',
      `UPDATE todos SET title = COALESCE($1, title), completed = COALESCE($2, completed), updated_at = now()
        WHERE id = $3 AND owner_id = $4 RETURNING ${TODO_COLUMNS}`,
      [body.title ?? null, body.completed ?? null, Number(match[1]), user.id],
    );
    return rows[0] ? send(res, 200, rows[0]) : send(res, 404, { status: 404 });
  }
  return send(res, 404, { status: 404 });
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, { status: 500 }));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 3602), '127.0.0.1', () => console.log('ready'));
const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
