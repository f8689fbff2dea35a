import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { open, seal } from './secret-box.js';

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('opens what it sealed, for the same key and context', () => {
    assert.equal(open(key, seal(key, secret, 'user:7'), 'user:7'), secret);
  });

  it('never stores the plaintext, and seals it differently every time (a fresh IV)', () => {
    const [a, b] = [seal(key, secret, 'user:7'), seal(key, secret, 'user:7')];
    assert.equal(a.includes(Buffer.from(secret)), false);
    assert.notDeepEqual(a, b);
    assert.equal(a[0], 1, 'the layout version leads');
    assert.equal(a.length, 1 + 12 + 16 + secret.length);
  });

  it("refuses another user's context: a sealed secret copied to another row does not open", () => {
    assert.throws(() => open(key, seal(key, secret, 'user:7'), 'user:8'));
  });

  it('refuses another key', () => {
    assert.throws(() => open(randomBytes(32), seal(key, secret, 'user:7'), 'user:7'));
  });

  it('refuses any altered byte: version, IV, tag or ciphertext', () => {
    const sealed = seal(key, secret, 'user:7');
    for (const at of [0, 1, 13, 29, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[at] ^= 0x01;
      assert.throws(() => open(key, altered, 'user:7'), `byte ${at}`);
    }
  });

  it('refuses a value too short to hold the header and a ciphertext', () => {
    assert.throws(() => open(key, seal(key, secret, 'user:7').subarray(0, 29), 'user:7'), /known version/);
    assert.throws(() => open(key, Buffer.alloc(0), 'user:7'), /known version/);
  });
});
