import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMMON_PASSWORDS_FILE, commonPasswords } from './common-passwords.js';

describe('commonPasswords', () => {
  it('reads the vendored list from assets/, where the build output finds it', () => {
    assert.ok(existsSync(COMMON_PASSWORDS_FILE), `${COMMON_PASSWORDS_FILE.pathname} is missing`);
    assert.match(COMMON_PASSWORDS_FILE.pathname, /\/assets\/common-passwords\.txt$/);
  });

  it('holds all 10,000 entries, first and last included', () => {
    const list = commonPasswords();
    assert.equal(list.size, 10_000);
    assert.ok(list.has('password'));
    assert.ok(list.has('eyphed'));
  });

  it('holds entries lower-cased and without blanks, as the policy compares them', () => {
    for (const entry of commonPasswords()) assert.equal(entry, entry.trim().toLowerCase());
  });
});
