import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFromOwnFrontend, type OriginFacts } from './same-party.js';

const request = (headers: OriginFacts['headers'], protocol = 'https', host = 'api.example.com'): OriginFacts => ({
  headers,
  protocol,
  host,
});
const TRUSTED = ['https://app.example.com'];

describe('isFromOwnFrontend', () => {
  it('accepts a listed origin, or the one the request reached, with X-Requested-With', () => {
    assert.equal(isFromOwnFrontend(request({ origin: 'https://app.example.com', 'x-requested-with': 'fetch' }), TRUSTED), true);
    assert.equal(isFromOwnFrontend(request({ origin: 'https://api.example.com', 'x-requested-with': 'XMLHttpRequest' }), TRUSTED), true);
    assert.equal(
      isFromOwnFrontend(request({ origin: 'http://localhost:3000', 'x-requested-with': 'x' }, 'http', 'localhost:3000'), []),
      true,
    );
  });

  it('refuses a missing, unlisted, null or inexact origin', () => {
    for (const origin of [
      undefined,
      'null',
      'https://evil.example',
      'https://app.example.com.evil.example',
      'https://app.example.com/',
      'http://app.example.com',
      'https://APP.example.com',
    ]) {
      assert.equal(isFromOwnFrontend(request({ origin, 'x-requested-with': 'fetch' }), TRUSTED), false, String(origin));
    }
    assert.equal(
      isFromOwnFrontend(request({ origin: 'https://api.example.com:8443', 'x-requested-with': 'x' }), TRUSTED),
      false,
      'another port',
    );
    assert.equal(
      isFromOwnFrontend(request({ origin: 'http://api.example.com', 'x-requested-with': 'x' }), TRUSTED),
      false,
      'another scheme',
    );
  });

  it('refuses a request without a non-empty X-Requested-With', () => {
    assert.equal(isFromOwnFrontend(request({ origin: 'https://app.example.com' }), TRUSTED), false);
    assert.equal(isFromOwnFrontend(request({ origin: 'https://app.example.com', 'x-requested-with': ' ' }), TRUSTED), false);
    assert.equal(isFromOwnFrontend(request({ origin: 'https://app.example.com', 'x-requested-with': ['a', 'b'] }), TRUSTED), false);
  });
});
