import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadEnv } from './env.js';
import { loadMfaKeys } from './mfa.config.js';

/** The keys the app would use in the environment `variables`. */
function keysFor(variables: NodeJS.ProcessEnv) {
  const env = loadEnv(variables);
  return loadMfaKeys(env.mfa, env.runtime);
}

describe('MFA_ENCRYPTION_KEY', () => {
  const root = mkdtempSync(join(tmpdir(), 'mfa-key-spec-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let dirs = 0;
  const freshDir = () => join(root, `data-${++dirs}`);
  const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/app' };

  it('is generated once into DATA_DIR outside production, private, and reused', () => {
    const dataDir = freshDir();
    const first = keysFor({ DATA_DIR: dataDir });
    const file = join(dataDir, 'mfa-encryption-key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /^[A-Za-z0-9_-]{64}$/);
    assert.deepEqual(keysFor({ DATA_DIR: dataDir, NODE_ENV: 'test' }), first);
    assert.notDeepEqual(keysFor({ DATA_DIR: freshDir() }), first);
  });

  it('is required in production, and nothing is written there', () => {
    const dataDir = freshDir();
    assert.throws(() => keysFor({ ...production, DATA_DIR: dataDir }), /MFA_ENCRYPTION_KEY is required when NODE_ENV=production/);
    assert.equal(existsSync(join(dataDir, 'mfa-encryption-key')), false);
  });

  it('refuses a short or well-known key, naming the variable and never its value', () => {
    for (const weak of ['changeme', 'x'.repeat(40), 'short-but-random-7Hq2']) {
      assert.throws(
        () => keysFor({ ...production, MFA_ENCRYPTION_KEY: weak }),
        (error: Error) =>
          /^MFA_ENCRYPTION_KEY (is a well-known|must be at least 32 bytes)/.test(error.message) && !error.message.includes(weak),
        weak,
      );
    }
  });

  it('derives two different 256-bit keys from one strong key: one for the secrets, one for the recovery codes', () => {
    const key = randomBytes(48).toString('base64url');
    const keys = keysFor({ ...production, MFA_ENCRYPTION_KEY: key });
    assert.equal(keys.secretKey.length, 32);
    assert.equal(keys.recoveryCodeKey.length, 32);
    assert.notDeepEqual(keys.secretKey, keys.recoveryCodeKey);
    assert.deepEqual(keysFor({ ...production, MFA_ENCRYPTION_KEY: key }), keys, 'the same key on every instance');
    assert.equal(keys.secretKey.includes(Buffer.from(key)), false);
  });
});
