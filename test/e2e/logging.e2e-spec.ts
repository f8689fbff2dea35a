import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Instance } from '../support/instance.js';

interface LogLine {
  level: number;
  context?: string;
  msg?: string;
  migration?: string;
  err?: { message: string };
}

/** Every line the process printed, each of which must be a JSON object. */
function jsonLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        assert.fail(`not a JSON line: ${line}\n--- whole output ---\n${output}`);
      }
    });
}

const MIGRATIONS = readdirSync(fileURLToPath(new URL('../../migrations/', import.meta.url)))
  .filter((file) => file.endsWith('.js'))
  .map((file) => file.replace(/^(\d+)-(\w+)\.js$/, '$2$1'))
  .sort();

const WIRING = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

describe('server logs', () => {
  it('stay JSON lines from the first to the last when the database is unreachable at start-up', async () => {
    const instance = await Instance.start(
      {
        DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/unreachable',
        LOG_FORMAT: 'json',
        JWT_SECRET: randomBytes(48).toString('base64url'),
      },
      'spawned',
    );
    assert.equal(await instance.exitCode(), 1);
    await instance.stop();
    const lines = jsonLines(instance.logs());
    const retries = lines.filter((line) => line.context === 'TypeOrmModule' && /Retrying/.test(line.err?.message ?? ''));
    assert.ok(retries.length > 0, instance.logs());
    assert.equal(lines.at(-1)?.context, 'Main');
    assert.match(lines.at(-1)?.msg ?? '', /^Start-up failed: .*ECONNREFUSED/);
  });

  it('report a refused configuration as a JSON line too', async () => {
    // Production without DATABASE_URL is refused before Nest starts.
    const instance = await Instance.start({ NODE_ENV: 'production', DATABASE_URL: undefined, LOG_FORMAT: 'json' }, 'spawned');
    assert.equal(await instance.exitCode(), 1);
    await instance.stop();
    const lines = jsonLines(instance.logs());
    assert.equal(lines.length, 1, instance.logs());
    assert.equal(lines[0].level, 50);
    assert.match(lines[0].msg ?? '', /^Start-up failed: DATABASE_URL is required when NODE_ENV=production/);
  });

  it('name each migration applied at start-up, or say none was pending, with the wiring lines kept for debug', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-todos-logs-'));
    const env = { DATABASE_URL: undefined, DATA_DIR: dataDir, LOG_FORMAT: 'json', JWT_SECRET: randomBytes(48).toString('base64url') };
    try {
      const fresh = await Instance.start(env);
      assert.equal(await fresh.stop(), 0, fresh.logs());
      const first = jsonLines(fresh.logs());
      const applied = first.filter((line) => line.context === 'Migrations' && line.msg === 'migration applied');
      assert.deepEqual(applied.map((line) => line.migration).sort(), MIGRATIONS);
      assert.ok(applied.every((line) => line.level === 30));
      assert.deepEqual(
        first.filter((line) => WIRING.has(line.context ?? '')),
        [],
        'module and route lines are debug, LOG_LEVEL is info',
      );
      assert.ok(first.some((line) => line.context === 'Main' && /^Listening on /.test(line.msg ?? '')));

      const again = await Instance.start({ ...env, LOG_LEVEL: 'debug' });
      assert.equal(await again.stop(), 0, again.logs());
      const second = jsonLines(again.logs());
      assert.deepEqual(
        second.filter((line) => line.context === 'Migrations').map(({ level, msg }) => ({ level, msg })),
        [{ level: 30, msg: 'no pending migrations' }],
      );
      const mapped = second.filter((line) => line.context === 'RouterExplorer' && /^Mapped \{/.test(line.msg ?? ''));
      assert.ok(mapped.length > 0 && mapped.every((line) => line.level === 20), again.logs());
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
