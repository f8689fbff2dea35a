import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import argon2 from 'argon2';
import { DEFAULT_PASSWORD_HASH_COST, type PasswordsConfig } from '../config/passwords.config.js';
import { hashesInFlight, PasswordHasherService } from './password-hasher.service.js';

/** argon2.verify replaced by a recorder whose calls finish only when the test says so. */
function recordVerifications() {
  const original = argon2.verify;
  const pending: (() => void)[] = [];
  const seen = { inFlight: 0, most: 0, started: 0 };
  argon2.verify = () =>
    new Promise<boolean>((resolve) => {
      seen.started += 1;
      seen.inFlight += 1;
      seen.most = Math.max(seen.most, seen.inFlight);
      pending.push(() => {
        seen.inFlight -= 1;
        resolve(true);
      });
    });
  return { seen, pending, restore: () => (argon2.verify = original) };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('PasswordHasherService concurrency cap', () => {
  let restore = () => {};
  afterEach(() => restore());

  /** Five verifications through a hasher with `config`, finished one by one: how many started at first, and at most. */
  async function drive(config: Pick<PasswordsConfig, 'hashConcurrency' | 'threadPoolSize'>) {
    const recorder = recordVerifications();
    restore = recorder.restore;
    const hasher = new PasswordHasherService({ ...config, hashCost: DEFAULT_PASSWORD_HASH_COST } as PasswordsConfig);
    const results = Array.from({ length: 5 }, () => hasher.verify('$argon2id$stored', 'password'));
    await settled();
    const startedAtFirst = recorder.seen.started;
    while (recorder.pending.length > 0) {
      recorder.pending.shift()!();
      await settled();
    }
    return { startedAtFirst, results: await Promise.all(results), started: recorder.seen.started, most: recorder.seen.most };
  }

  it('runs at most PASSWORD_HASH_CONCURRENCY verifications at once; the rest wait their turn', async () => {
    const run = await drive({ hashConcurrency: 2, threadPoolSize: 4 });
    assert.deepEqual(run, { startedAtFirst: 2, results: [true, true, true, true, true], started: 5, most: 2 });
  });

  it('hands libuv one more than it has threads when every thread hashes, so the next starts at once', async () => {
    const run = await drive({ hashConcurrency: 2, threadPoolSize: 2 });
    assert.deepEqual(run, { startedAtFirst: 3, results: [true, true, true, true, true], started: 5, most: 3 });
  });

  it('adds that one only when no thread is left over', () => {
    assert.equal(hashesInFlight(2, 4), 2);
    assert.equal(hashesInFlight(3, 4), 3);
    assert.equal(hashesInFlight(4, 4), 5);
    assert.equal(hashesInFlight(1, 1), 2);
  });
});

describe('PasswordHasherService.needsRehash', () => {
  const hasher = new PasswordHasherService({
    hashConcurrency: 2,
    threadPoolSize: 4,
    hashCost: DEFAULT_PASSWORD_HASH_COST,
  } as PasswordsConfig);

  it('keeps a hash made with the current parameters, and agrees with the binding on others', async () => {
    const current = await hasher.hash('violet-kettle-harbour');
    assert.match(current, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.equal(hasher.needsRehash(current), false);
    const others = await Promise.all([
      argon2.hash('violet-kettle-harbour', { type: argon2.argon2id, memoryCost: 8192, timeCost: 2, parallelism: 1 }),
      argon2.hash('violet-kettle-harbour', { type: argon2.argon2id, memoryCost: 19_456, timeCost: 3, parallelism: 1 }),
      argon2.hash('violet-kettle-harbour', { type: argon2.argon2i, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
    ]);
    for (const hash of others) assert.equal(hasher.needsRehash(hash), true, hash);
    // A prefix that only starts like the current one: m=194560 is not m=19456.
    assert.equal(hasher.needsRehash(current.replace('m=19456,', 'm=194560,')), true);
  });

  it('recognises a current hash by its prefix alone, without parsing it', async () => {
    const current = await hasher.hash('violet-kettle-harbour');
    const parse = argon2.needsRehash;
    argon2.needsRehash = () => assert.fail('parsed a hash in the current format');
    try {
      assert.equal(hasher.needsRehash(current), false);
    } finally {
      argon2.needsRehash = parse;
    }
  });
});

describe('PasswordHasherService cost', () => {
  it('hashes with the configured memory and passes, and asks a hash made at the default cost to be redone', async () => {
    const cheap = new PasswordHasherService({
      hashConcurrency: 2,
      threadPoolSize: 4,
      hashCost: { memoryKib: 1024, passes: 1 },
    } as PasswordsConfig);
    const hash = await cheap.hash('violet-kettle-harbour');
    assert.match(hash, /^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    assert.equal(await cheap.verify(hash, 'violet-kettle-harbour'), true);
    assert.equal(cheap.needsRehash(hash), false);
    const atDefault = await argon2.hash('violet-kettle-harbour', {
      type: argon2.argon2id,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    assert.equal(cheap.needsRehash(atDefault), true);
  });
});

describe('PasswordHasherService.verify', () => {
  it('answers false for a password no policy accepts, without queueing a verification', async () => {
    const recorder = recordVerifications();
    try {
      const hasher = new PasswordHasherService({
        hashConcurrency: 2,
        threadPoolSize: 4,
        hashCost: DEFAULT_PASSWORD_HASH_COST,
      } as PasswordsConfig);
      assert.equal(await hasher.verify('$argon2id$stored', '\uFDFA'.repeat(33_000)), false);
      assert.equal(recorder.seen.started, 0);
    } finally {
      recorder.restore();
    }
  });
});
