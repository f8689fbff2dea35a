import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { rootLoggerOptions } from './logging.js';
import { serializeError } from './error-serializer.js';

const SECRETS = ['$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'victim@example.com', '203.0.113.9', 'Mozilla/5.0 secret-agent'];

/** A failed query as pg and TypeORM report one: parameters, and the server's detail naming a value. */
function failedQuery(): QueryFailedError {
  const driverError = Object.assign(new pg.DatabaseError('duplicate key value violates unique constraint "UQ_users_email"', 100, 'error'), {
    code: '23505',
    severity: 'ERROR',
    constraint: 'UQ_users_email',
    table: 'users',
    detail: `Key (email)=(${SECRETS[1]}) already exists.`,
    where: `SQL statement with ${SECRETS[2]}`,
  });
  return new QueryFailedError('INSERT INTO users (email, hashed_password, ip, user_agent) VALUES ($1, $2, $3, $4)', SECRETS, driverError);
}

/** The root logger's configuration, writing into an array. */
function memoryLogger() {
  const lines: string[] = [];
  return { logger: pino(rootLoggerOptions('info'), { write: (line: string) => void lines.push(line) }), lines };
}

describe('errors in log lines', () => {
  it('carry no SQL parameter and no server detail, from the root logger', () => {
    const { logger, lines } = memoryLogger();
    logger.error({ err: failedQuery() }, 'Request failed');
    logger.child({}, { redact: [] }).error({ err: new Error('wrapped', { cause: failedQuery() }) }, 'request errored');
    assert.equal(lines.length, 2);
    for (const line of lines) for (const secret of SECRETS) assert.ok(!line.includes(secret), `${secret} logged: ${line}`);
    const [first] = lines.map((line) => JSON.parse(line) as { err: Record<string, unknown> });
    assert.equal(first.err.type, 'QueryFailedError');
    assert.equal(first.err.code, '23505');
    assert.equal(first.err.constraint, 'UQ_users_email');
    assert.match(String(first.err.message), /duplicate key value/);
  });

  it('leave out whatever else a library attached to the error (its configuration, its parameters)', () => {
    const serialized = JSON.stringify(
      serializeError(Object.assign(new Error('connect failed'), { config: { password: SECRETS[0] }, parameters: SECRETS })),
    );
    for (const secret of SECRETS) assert.ok(!serialized.includes(secret));
  });

  it('keep what describes the failure: type, message, stack, codes and causes', () => {
    const out = serializeError(
      new Error('outer', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }) }),
    );
    assert.equal(out.type, 'Error');
    assert.match(String(out.stack), /outer/);
    assert.deepEqual(
      { ...(out.cause as Record<string, unknown>), stack: undefined },
      { type: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET', errno: -104, syscall: 'read', stack: undefined },
    );
    assert.deepEqual(serializeError('text thrown'), { type: 'string', message: 'text thrown' });
  });
});
