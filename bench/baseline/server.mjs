// The bare baseline the app is measured against: node:http, a pg pool and jose, doing the work
// each benchmarked request needs (verify the HS256 access token, load its user, run the app's
// queries) with no framework, no validation library, no logging and no session check.
// Environment: PORT, DATABASE_URL, JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, POOL_SIZE.
import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
const key = new TextEncoder().encode(process.env.JWT_SECRET);
const verifyOptions = {
  algorithms: ['HS256'],
  issuer: process.env.JWT_ISSUER ?? 'nest-auth-todos',
  audience: process.env.JWT_AUDIENCE ?? 'nest-auth-todos-api',
  typ: 'at+jwt',
};

const TODO_COLUMNS = 'id, title, description, completed, owner_id, created_at, updated_at';

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
    const { rows } = await pool.query(
      'SELECT id, email, role, is_active, email_verified, created_at FROM users WHERE id = $1',
      [Number(payload.sub)],
    );
    return rows[0]?.is_active ? rows[0] : undefined;
  } catch {
    return undefined;
  }
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function handle(req, res) {
  const user = await authenticate(req);
  if (!user) return send(res, 401, { status: 401, title: 'Unauthorized' });
  const url = new URL(req.url, 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/users/me') return send(res, 200, user);
  if (req.method === 'GET' && url.pathname === '/todos') {
    const { rows } = await pool.query(
      `SELECT ${TODO_COLUMNS} FROM todos WHERE owner_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`,
      [user.id],
    );
    const { rows: count } = await pool.query('SELECT count(*)::int AS n FROM todos WHERE owner_id = $1', [user.id]);
    return send(res, 200, rows, { 'x-total-count': String(count[0].n) });
  }
  if (req.method === 'POST' && url.pathname === '/todos') {
    const body = await readJson(req);
    if (typeof body.title !== 'string') return send(res, 422, { status: 422 });
    const { rows } = await pool.query(
      `INSERT INTO todos (title, description, completed, owner_id) VALUES ($1, $2, $3, $4) RETURNING ${TODO_COLUMNS}`,
      [body.title, body.description ?? null, body.completed ?? false, user.id],
    );
    return send(res, 201, rows[0]);
  }
  const match = /^\/todos\/(\d+)$/.exec(url.pathname);
  if (req.method === 'PATCH' && match) {
    const body = await readJson(req);
    const { rows } = await pool.query(
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
