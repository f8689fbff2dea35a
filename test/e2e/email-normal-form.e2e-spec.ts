import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { NfkcEmails1796162398132 } from '../../migrations/1796162398132-NfkcEmails.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { login, signUp } from '../support/factories.js';

describe('addresses stored before NFKC normalisation', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.reset();
    await t.close();
  });

  it('take their NFKC form, so their owners still log in; one that would collide with another account stays as it is', async () => {
    const dataSource = t.app.get(DataSource);
    const setEmail = (id: number, email: string) => dataSource.query('UPDATE users SET email = $2 WHERE id = $1', [id, email]);
    const bob = await signUp(t.http, 'bob-before@example.com');
    await setEmail(bob.id, 'ｂｏｂ@example.com');
    await signUp(t.http, 'carol@example.com');
    const twin = await signUp(t.http, 'carol-before@example.com');
    await setEmail(twin.id, 'ｃａｒｏｌ@example.com');
    // Mathematical bold capitals: NFKC makes them ASCII capitals, which only a case fold after it lowers.
    const dan = await signUp(t.http, 'dan-before@example.com');
    await setEmail(dan.id, '𝐃𝐀𝐍@example.com');

    const runner = dataSource.createQueryRunner();
    try {
      await new NfkcEmails1796162398132().up(runner);
    } finally {
      await runner.release();
    }

    const token = await login(t.http, 'bob@example.com', bob.password);
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${token}`)).body.id, bob.id);
    assert.ok(await login(t.http, 'dan@example.com', dan.password));
    const [{ email }] = await dataSource.query('SELECT email FROM users WHERE id = $1', [twin.id]);
    assert.equal(email, 'ｃａｒｏｌ@example.com');
  });
});
