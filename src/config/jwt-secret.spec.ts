import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadEnv } from './env.js';
import { assertStrongSecret, resolveJwtSecret } from './jwt-secret.js';

/** The secret the app would sign with in the environment `variables`. */
function secretFor(variables: NodeJS.ProcessEnv): string {
  const env = loadEnv(variables);
  return resolveJwtSecret(env.auth.signing.secret, env.runtime);
}

describe('assertStrongSecret', () => {
  for (const secret of ['secret', 'changeme', 'CHANGEME', ' secret ', 'your-256-bit-secret']) {
    it(`refuses the well-known ${JSON.stringify(secret)}`, () => {
      assert.throws(() => assertStrongSecret(secret), /well-known or trivial/);
    });
  }

  it('refuses one character repeated, however long', () => {
    assert.throws(() => assertStrongSecret('a'.repeat(64)), /well-known or trivial/);
  });

  it('refuses 31 bytes and accepts 32', () => {
    assert.throws(() => assertStrongSecret('abcdefghijklmnopqrstuvwxyz01234'), /at least 32 bytes/);
    assert.doesNotThrow(() => assertStrongSecret('abcdefghijklmnopqrstuvwxyz012345'));
  });

  it('counts bytes, not characters', () => {
    // 16 characters, 32 bytes in UTF-8.
    assert.doesNotThrow(() => assertStrongSecret('ñé'.repeat(8)));
  });

  it('accepts 48 random bytes in base64url', () => {
    assert.doesNotThrow(() => assertStrongSecret(randomBytes(48).toString('base64url')));
  });

  it('refuses one emoji repeated', () => {
    assert.throws(() => assertStrongSecret('🔑'.repeat(16)), /well-known or trivial/);
  });
});

describe('resolveJwtSecret', () => {
  const root = mkdtempSync(join(tmpdir(), 'jwt-secret-spec-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let dirs = 0;
  const freshDir = () => join(root, `data-${++dirs}`, 'nested');

  it('generates a private key file once outside production and reuses it', () => {
    const dataDir = freshDir();
    const first = secretFor({ NODE_ENV: 'development', DATA_DIR: dataDir });
    const file = join(dataDir, 'jwt-secret');
    assert.equal(readFileSync(file, 'utf8'), first);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(first, /^[A-Za-z0-9_-]{64}$/);
    assert.equal(secretFor({ NODE_ENV: 'development', DATA_DIR: dataDir }), first);
    assert.equal(secretFor({ NODE_ENV: 'test', DATA_DIR: dataDir }), first);
  });

  it('generates different keys in different data directories', () => {
    const a = secretFor({ DATA_DIR: freshDir() });
    const b = secretFor({ DATA_DIR: freshDir() });
    assert.notEqual(a, b);
  });

  it('refuses a weak key already on disk', () => {
    const dataDir = freshDir();
    secretFor({ DATA_DIR: dataDir });
    writeFileSync(join(dataDir, 'jwt-secret'), 'changeme\n');
    assert.throws(() => secretFor({ DATA_DIR: dataDir }), /well-known or trivial/);
  });

  it('returns JWT_SECRET when set, without writing a file', () => {
    const dataDir = freshDir();
    const secret = randomBytes(48).toString('base64url');
    assert.equal(secretFor({ DATA_DIR: dataDir, JWT_SECRET: secret }), secret);
    assert.equal(existsSync(join(dataDir, 'jwt-secret')), false);
  });

  it('refuses a weak JWT_SECRET', () => {
    assert.throws(() => secretFor({ DATA_DIR: freshDir(), JWT_SECRET: 'changeme' }), /well-known/);
  });

  describe('in production', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db/app' };

    it('requires JWT_SECRET and writes no file', () => {
      const dataDir = freshDir();
      assert.throws(() => secretFor({ ...production, DATA_DIR: dataDir }), /JWT_SECRET is required/);
      assert.equal(existsSync(join(dataDir, 'jwt-secret')), false);
    });

    it('accepts a strong JWT_SECRET', () => {
      const secret = randomBytes(48).toString('base64url');
      assert.equal(secretFor({ ...production, DATA_DIR: freshDir(), JWT_SECRET: secret }), secret);
    });
  });
});
