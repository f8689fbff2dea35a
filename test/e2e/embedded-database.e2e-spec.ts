import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { Instance } from '../support/instance.js';
import { login, PASSWORD, uniqueEmail } from '../support/factories.js';

describe('embedded database', () => {
  it('refuses a second process on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-todos-lock-'));
    const first = await EmbeddedPostgres.open(dir);
    try {
      await assert.rejects(EmbeddedPostgres.open(dir), /in use by another process/);
    } finally {
      await first.close();
    }
    const again = await EmbeddedPostgres.open(dir);
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second server on the data directory of a running one, and takes over at once from one that was killed', async () => {
    // Without DATABASE_URL in the servers' environment: on the embedded database in every run.
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-crash-'));
    const env = { DATA_DIR: dataDir, DATABASE_URL: undefined };
    const first = await Instance.start(env);
    const email = uniqueEmail('crash');
    try {
      assert.equal((await first.http.post('/auth/register').send({ email, password: PASSWORD })).status, 201);
      await assert.rejects(Instance.start(env, 'live'), /exited with 1 before it was live[\s\S]*in use by another process/);
      assert.equal((await first.http.get('/health/ready')).status, 200);
    } finally {
      await first.stop('SIGKILL');
    }
    const second = await Instance.start(env);
    try {
      await login(second.http, email);
    } finally {
      assert.equal(await second.stop('SIGTERM'), 0, second.logs());
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
