import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashRefreshToken, isRefreshTokenShaped, newRefreshToken, spentTokenVerdict } from './refresh-token.js';

describe('refresh tokens', () => {
  it('are 256 random bits in base64url, different every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newRefreshToken));
    assert.equal(tokens.size, 1000);
    for (const token of tokens) {
      assert.ok(isRefreshTokenShaped(token), token);
      assert.equal(Buffer.from(token, 'base64url').length, 32);
    }
  });

  it('recognise only their own shape', () => {
    for (const token of [
      '',
      'x',
      'A'.repeat(42),
      'A'.repeat(44),
      `${'A'.repeat(42)}=`,
      `${'A'.repeat(42)}+`,
      "' OR 1=1 --",
      'eyJ.eyJ.sig',
    ]) {
      assert.equal(isRefreshTokenShaped(token), false, token);
    }
  });

  it('are stored as their SHA-256, in hex', () => {
    assert.equal(hashRefreshToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const token = newRefreshToken();
    assert.equal(hashRefreshToken(token), hashRefreshToken(token));
    assert.notEqual(hashRefreshToken(token), hashRefreshToken(newRefreshToken()));
    assert.match(hashRefreshToken(token), /^[0-9a-f]{64}$/);
  });
});

describe('spentTokenVerdict', () => {
  it('is always reuse without a grace window', () => {
    assert.equal(spentTokenVerdict({ ageSeconds: 0, latestSpent: true, sameClient: true, superseded: false }, 0), 'reuse');
  });

  it('renews only the immediate parent of an unused successor, only inside the window', () => {
    assert.equal(spentTokenVerdict({ ageSeconds: 2, latestSpent: true, sameClient: true, superseded: false }, 5), 'renew');
    assert.equal(spentTokenVerdict({ ageSeconds: 5, latestSpent: true, sameClient: true, superseded: false }, 5), 'renew');
    assert.equal(spentTokenVerdict({ ageSeconds: 5.01, latestSpent: true, sameClient: true, superseded: false }, 5), 'reuse');
    assert.equal(spentTokenVerdict({ ageSeconds: 1, latestSpent: false, sameClient: true, superseded: false }, 5), 'reuse');
  });

  it('never renews a token a retry superseded: whoever presents it holds an answer the retrying client never got', () => {
    assert.equal(spentTokenVerdict({ ageSeconds: 1, latestSpent: true, sameClient: true, superseded: true }, 5), 'reuse');
  });

  it('renews only for the client whose refresh lost its answer, not another client replaying after a thief', () => {
    assert.equal(spentTokenVerdict({ ageSeconds: 1, latestSpent: true, sameClient: false, superseded: false }, 5), 'reuse');
  });
});
