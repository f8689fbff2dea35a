import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import helmet from 'helmet';
import { HELMET_OPTIONS, helmetHeaders } from './security-headers.js';

describe('helmetHeaders', () => {
  it('are exactly what helmet sets on a real response, whatever the request', () => {
    for (const url of ['/users/me', '/docs/', '/auth/login?x=1']) {
      const request = new IncomingMessage(new Socket());
      request.url = url;
      request.headers = { host: 'example.com', 'x-forwarded-proto': 'https' };
      const response = new ServerResponse(request);
      response.setHeader('X-Powered-By', 'something');
      let called = false;
      helmet(HELMET_OPTIONS)(request, response, () => (called = true));
      assert.ok(called);
      const expected = Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]));
      assert.deepEqual(helmetHeaders(), expected);
    }
  });

  it('include the strict policy this API relies on', () => {
    const headers = helmetHeaders();
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.match(headers['content-security-policy'], /default-src 'self'.*frame-ancestors 'none'/);
    assert.equal(headers['strict-transport-security'], undefined);
  });
});
