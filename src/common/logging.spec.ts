import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import pino from 'pino';
import { AppLogger, logFormat, redactUrl } from './logging.js';

const SECRET = 'hunter2-s3cret';
const encodeAll = (text: string) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64({ sub: '42', sid: 7 })}.${randomBytes(32).toString('base64url')}`;
const REFRESH_TOKEN = randomBytes(32).toString('base64url');

describe('redactUrl', () => {
  it('redacts secret query parameters by their decoded, case-folded name, whatever the separator or suffix', () => {
    const spellings = [
      'password',
      'PassWord',
      'pass%77ord',
      '%70assword',
      'Pass%57ord',
      '%70%61%73%73%77%6f%72%64',
      'refresh%5Ftoken',
      'refresh%5ftoken',
      'password[]',
      'password%5B%5D',
      'password[x]',
      'password[a][b]',
      'new_password',
      'current_password',
      'token',
      'access_token',
      'client_secret',
    ];
    for (const name of spellings) {
      for (const url of [
        `/auth/login?${name}=${SECRET}`,
        `/auth/login?a=1&${name}=${SECRET}&b=2`,
        `/auth/login?;${name}=${SECRET}`,
        `/auth/login?a=1;${name}=${SECRET}`,
      ]) {
        const redacted = redactUrl(url);
        assert.ok(!redacted.includes(SECRET), `${url} -> ${redacted}`);
        assert.ok(redacted.includes(`${name}=[redacted]`), `${url} -> ${redacted}`);
      }
    }
    assert.equal(
      redactUrl(`/auth/login?username=a%40example.com&pass%77ord=${SECRET}&password=${SECRET}`),
      '/auth/login?username=a%40example.com&pass%77ord=[redacted]&password=[redacted]',
    );
    assert.equal(redactUrl(`/x;password=${SECRET}`), '/x;password=[redacted]');
  });

  it('redacts anything shaped like a JWT or a refresh token in the path or the query, also percent-encoded', () => {
    const encodings = [
      JWT,
      JWT.replace(/^e/, '%65'),
      JWT.replace(/\./g, '%2E'),
      encodeAll(JWT),
      `Bearer%20${JWT}`,
      JWT.replace(/^e/, '%2565'),
    ];
    for (const token of [...encodings, REFRESH_TOKEN, encodeAll(REFRESH_TOKEN), REFRESH_TOKEN.replace(/^./, (c) => encodeAll(c))]) {
      for (const url of [
        `/todos/${token}`,
        `/todos/${token}/more`,
        `/todos?jwt=${token}`,
        `/todos?a=b&${token}`,
        `/x;jsessionid=${token}`,
        `/todos?next=/todos/${token}`,
      ]) {
        const redacted = redactUrl(url);
        assert.ok(!redacted.includes(token), `${url} -> ${redacted}`);
        assert.match(redacted, /\[redacted\]/, url);
        assert.doesNotMatch(decodeURIComponent(redacted.replaceAll('%25', '%')), /eyJ/, url);
      }
    }
    assert.equal(redactUrl(`/todos/${JWT}`), '/todos/[redacted]');
    assert.equal(redactUrl(`/auth/sessions/${REFRESH_TOKEN}?limit=5`), '/auth/sessions/[redacted]?limit=5');
  });

  it('leaves everything else as it was sent', () => {
    for (const url of [
      '/todos/123',
      '/users/me',
      '/todos?limit=10&offset=20',
      '/todos?title=v1.2.3&q=%E2%9C%93',
      '/todos?q=%E0%A4%A',
      '/auth/verify-email?username=a%40example.com',
      '/docs/swagger-ui-bundle.js',
      `/todos/${'a'.repeat(42)}`,
      `/todos/${'a'.repeat(44)}`,
    ]) {
      assert.equal(redactUrl(url), url);
    }
  });
});

describe('logFormat', () => {
  it('is pretty for a person at a terminal outside production, JSON otherwise, unless LOG_FORMAT says', () => {
    const cases: [given: 'pretty' | 'json' | undefined, nodeEnv: string, tty: boolean, expected: 'pretty' | 'json'][] = [
      [undefined, 'development', true, 'pretty'],
      [undefined, 'test', true, 'pretty'],
      [undefined, 'production', true, 'json'],
      [undefined, 'development', false, 'json'],
      [undefined, 'test', false, 'json'],
      [undefined, 'production', false, 'json'],
      ['json', 'development', true, 'json'],
      ['json', 'production', false, 'json'],
      ['pretty', 'development', false, 'pretty'],
      ['pretty', 'production', false, 'pretty'],
      ['pretty', 'production', true, 'pretty'],
    ];
    for (const [given, nodeEnv, tty, expected] of cases) {
      assert.equal(logFormat(given, nodeEnv, tty), expected, `LOG_FORMAT=${given} NODE_ENV=${nodeEnv} TTY=${tty}`);
    }
  });
});

describe('AppLogger', () => {
  // One for the file: nestjs-pino keeps the first root logger it is given for the whole process.
  const lines: { level: number; context?: string; msg: string }[] = [];
  const root = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const logger = new AppLogger(root);

  it("puts Nest's wiring lines (modules, controllers, routes) at debug and leaves every other context at info", () => {
    Logger.overrideLogger(logger);
    new Logger('RoutesResolver').log('TodosController {/todos}:');
    new Logger('RouterExplorer').log('Mapped {/todos, GET} route');
    new Logger('InstanceLoader').log('TodosModule dependencies initialized');
    new Logger('NestApplication').log('Nest application successfully started');
    new Logger('Migrations').log('no pending migrations');
    new Logger('RouterExplorer').warn('not a mapping');
    assert.deepEqual(
      lines.map(({ level, context, msg }) => ({ level, context, msg })),
      [
        { level: 20, context: 'RoutesResolver', msg: 'TodosController {/todos}:' },
        { level: 20, context: 'RouterExplorer', msg: 'Mapped {/todos, GET} route' },
        { level: 20, context: 'InstanceLoader', msg: 'TodosModule dependencies initialized' },
        { level: 30, context: 'NestApplication', msg: 'Nest application successfully started' },
        { level: 30, context: 'Migrations', msg: 'no pending migrations' },
        { level: 40, context: 'RouterExplorer', msg: 'not a mapping' },
      ],
    );
  });

  it('drops the wiring lines at info', () => {
    lines.length = 0;
    root.level = 'info';
    logger.log('Mapped {/todos, GET} route', 'RouterExplorer');
    logger.log('Listening on http://localhost:3000', 'Main');
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['Listening on http://localhost:3000'],
    );
  });
});
