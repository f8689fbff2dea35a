import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { redactUrl } from './logging.js';

const SECRET = 'hunter2-s3cret';
const encodeAll = (text: string) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64({ sub: '42', sid: 7 })}.${randomBytes(32).toString('base64url')}`;
const REFRESH_TOKEN = randomBytes(32).toString('base64url');

describe('redactUrl', () => {
  it('redacts secret query parameters by their decoded, case-folded name, whatever the separator or suffix', () => {
    const spellings = [
      'password', 'PassWord', 'pass%77ord', '%70assword', 'Pass%57ord', '%70%61%73%73%77%6f%72%64', 'refresh%5Ftoken', 'refresh%5ftoken',
      'password[]', 'password%5B%5D', 'password[x]', 'password[a][b]', 'new_password', 'current_password', 'token', 'access_token', 'client_secret',
    ];
    for (const name of spellings) {
      for (const url of [`/auth/login?${name}=${SECRET}`, `/auth/login?a=1&${name}=${SECRET}&b=2`, `/auth/login?;${name}=${SECRET}`, `/auth/login?a=1;${name}=${SECRET}`]) {
        const redacted = redactUrl(url);
        assert.ok(!redacted.includes(SECRET), `${url} -> ${redacted}`);
        assert.ok(redacted.includes(`${name}=[redacted]`), `${url} -> ${redacted}`);
      }
    }
    assert.equal(redactUrl(`/auth/login?username=a%40example.com&pass%77ord=${SECRET}&password=${SECRET}`), '/auth/login?username=a%40example.com&pass%77ord=[redacted]&password=[redacted]');
    assert.equal(redactUrl(`/x;password=${SECRET}`), '/x;password=[redacted]');
  });

  it('redacts anything shaped like a JWT or a refresh token in the path or the query, also percent-encoded', () => {
    const encodings = [JWT, JWT.replace(/^e/, '%65'), JWT.replace(/\./g, '%2E'), encodeAll(JWT), `Bearer%20${JWT}`, JWT.replace(/^e/, '%2565')];
    for (const token of [...encodings, REFRESH_TOKEN, encodeAll(REFRESH_TOKEN), REFRESH_TOKEN.replace(/^./, (c) => encodeAll(c))]) {
      for (const url of [`/todos/${token}`, `/todos/${token}/more`, `/todos?jwt=${token}`, `/todos?a=b&${token}`, `/x;jsessionid=${token}`, `/todos?next=/todos/${token}`]) {
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
