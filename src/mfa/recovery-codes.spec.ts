import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';

describe('recovery codes', () => {
  it('come ten to a set, 80 random bits each in four groups, all different', () => {
    const codes = newRecoveryCodes();
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    assert.equal(new Set(Array.from({ length: 100 }, () => newRecoveryCodes()).flat()).size, 1000);
  });

  it('read what a person types: any case, spaces or dashes, and look-alike letters', () => {
    const [code] = newRecoveryCodes(1);
    const plain = code.replaceAll('-', '');
    assert.equal(normalizeRecoveryCode(code), plain);
    assert.equal(normalizeRecoveryCode(` ${code.toUpperCase().replaceAll('-', ' ')} `), plain);
    assert.equal(normalizeRecoveryCode('0000-1111-2222-3333'), '0000111122223333');
    assert.equal(normalizeRecoveryCode('OOOO-IIII-2222-LLLL'), '0000111122221111');
  });

  it('refuse what cannot be a code', () => {
    for (const input of ['', '123456', 'abcd-efgh-jkmn-pqr', 'abcd-efgh-jkmn-pqrst', 'abcd-efgh-jkmn-pqr!', 'uuuu-uuuu-uuuu-uuuu']) {
      assert.equal(normalizeRecoveryCode(input), undefined, input);
    }
  });

  it('are stored as a keyed hash: the same code under another key hashes differently', () => {
    const [key, other] = [randomBytes(32), randomBytes(32)];
    const code = normalizeRecoveryCode(newRecoveryCodes(1)[0])!;
    assert.match(hashRecoveryCode(key, code), /^[0-9a-f]{64}$/);
    assert.equal(hashRecoveryCode(key, code), hashRecoveryCode(key, code));
    assert.notEqual(hashRecoveryCode(key, code), hashRecoveryCode(other, code));
  });
});
