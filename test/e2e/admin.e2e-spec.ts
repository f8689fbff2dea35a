import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { UsersService } from '../../src/users/users.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { countsRun } from '../support/counts.js';
import { expectProblem, fieldsIn, login, PASSWORD, signUp, signUpAdmin, type SignedIn, uniqueEmail } from '../support/factories.js';

describe('admin', () => {
  let t: TestApp;
  let admin: SignedIn;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());
  beforeEach(async () => {
    admin = await signUpAdmin(t);
  });
  afterEach(() => t.reset());

  it('is closed to plain users with 403 "admin permission required" and to strangers with 401', async () => {
    const user = await signUp(t.http);
    for (const req of [
      () => t.http.get('/admin/users'),
      () => t.http.get(`/admin/users/${user.id}`),
      () => t.http.patch(`/admin/users/${user.id}`).send({ role: 'admin' }),
      () => t.http.delete(`/admin/users/${admin.id}`),
    ]) {
      expectProblem(await req().set(user.auth), 403, 'admin permission required');
      expectProblem(await req(), 401);
    }
    assert.equal((await t.http.get('/users/me').set(user.auth)).body.role, 'user', 'the PATCH changed nothing');
  });

  it('lists users with filters, pagination and X-Total-Count', async () => {
    for (let i = 0; i < 5; i += 1) await signUp(t.http, `member${i}@example.com`);
    await t.app.get(DataSource).query("UPDATE users SET is_active = false WHERE email = 'member4@example.com'");

    const all = await t.http.get('/admin/users').set(admin.auth);
    assert.equal(all.status, 200);
    assert.equal(all.headers['x-total-count'], '6');
    assert.doesNotMatch(all.text, /argon2|hashed_password/);

    const page = await t.http.get('/admin/users?limit=2&offset=1').set(admin.auth);
    assert.deepEqual(
      page.body.map((u: { email: string }) => u.email),
      ['member0@example.com', 'member1@example.com'],
    );

    const search = await t.http.get('/admin/users').query({ q: 'MEMBER' }).set(admin.auth);
    assert.equal(search.headers['x-total-count'], '5');
    const admins = await t.http.get('/admin/users?role=admin').set(admin.auth);
    assert.deepEqual(
      admins.body.map((u: { id: number }) => u.id),
      [admin.id],
    );
    const inactive = await t.http.get('/admin/users?is_active=false').set(admin.auth);
    assert.deepEqual(
      inactive.body.map((u: { email: string }) => u.email),
      ['member4@example.com'],
    );

    for (const query of ['role=root', 'is_active=nope', 'limit=1000', 'offset=-5', 'sort=email']) {
      expectProblem(await t.http.get(`/admin/users?${query}`).set(admin.auth), 422);
    }
  });

  it('tells the total from a page that holds the last user, and counts it only otherwise', async (ctx) => {
    for (let i = 0; i < 5; i += 1) await signUp(t.http, `member${i}@example.com`);
    const cursor = (await t.http.get('/admin/users?limit=4').set(admin.auth)).headers['x-next-cursor'];
    const counts = countsRun(ctx, t.app.get(UsersService));
    for (const [query, rows, total, counted] of [
      ['', 6, '6', 0],
      ['limit=6', 6, '6', 0],
      ['limit=4&offset=4', 2, '6', 0],
      ['role=admin&is_active=false', 0, '0', 0],
      ['limit=2&offset=1', 2, '6', 1],
      ['offset=6', 0, '6', 1],
      ['offset=10', 0, '6', 1],
      [`limit=4&cursor=${cursor}`, 2, '6', 1],
    ] as const) {
      const before = counts();
      const res = await t.http.get(`/admin/users?${query}`).set(admin.auth);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([res.body.length, res.headers['x-total-count'], counts() - before], [rows, total, counted], query);
    }
  });

  it('gets one user, or 404', async () => {
    const user = await signUp(t.http);
    const res = await t.http.get(`/admin/users/${user.id}`).set(admin.auth);
    assert.equal(res.body.email, user.email);
    expectProblem(await t.http.get('/admin/users/424242').set(admin.auth), 404, 'User not found');
    expectProblem(await t.http.get('/admin/users/abc').set(admin.auth), 422);
  });

  it('promotes a user, who signs in again to act as an admin', async () => {
    const user = await signUp(t.http);
    const res = await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ role: 'admin' });
    assert.equal(res.status, 200);
    assert.equal(res.body.role, 'admin');
    expectProblem(await t.http.get('/users/me').set(user.auth), 401, 'Session ended');
    const token = await login(t.http, user.email);
    const list = await t.http.get('/admin/users').set('Authorization', `Bearer ${token}`);
    assert.equal(list.status, 200, 'the role is read from the database, not the token');
  });

  it('deactivates a user, ending their sessions, and reactivates them', async () => {
    const user = await signUp(t.http);
    const res = await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ is_active: false });
    assert.equal(res.body.is_active, false);
    expectProblem(await t.http.get('/users/me').set(user.auth), 403, 'Inactive account');
    expectProblem(await t.http.get('/todos').set(user.auth), 403, 'Inactive account');
    await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send({ is_active: true });
    expectProblem(await t.http.get('/users/me').set(user.auth), 401, 'Session ended');
    const token = await login(t.http, user.email);
    assert.equal((await t.http.get('/users/me').set('Authorization', `Bearer ${token}`)).status, 200);
  });

  it('refuses unknown or malformed fields without changing the user', async () => {
    const user = await signUp(t.http);
    for (const [body, field] of [
      [{ role: 'root' }, 'role'],
      [{ is_active: 'no' }, 'is_active'],
      [{ is_active: null }, 'is_active'],
      [{ email: 'new@example.com' }, 'email'],
      [{ hashed_password: 'x' }, 'hashed_password'],
    ] as const) {
      const problem = expectProblem(await t.http.patch(`/admin/users/${user.id}`).set(admin.auth).send(body), 422);
      assert.deepEqual(fieldsIn(problem), [field]);
    }
    const after = await t.http.get(`/admin/users/${user.id}`).set(admin.auth);
    assert.equal(after.body.email, user.email);
    assert.equal(after.body.is_active, true);
    assert.equal(after.body.role, 'user');
    expectProblem(await t.http.patch('/admin/users/424242').set(admin.auth).send({ role: 'admin' }), 404);
  });

  it('keeps the last active admin: no demotion, deactivation or deletion (409)', async () => {
    expectProblem(await t.http.patch(`/admin/users/${admin.id}`).set(admin.auth).send({ role: 'user' }), 409);
    expectProblem(await t.http.patch(`/admin/users/${admin.id}`).set(admin.auth).send({ is_active: false }), 409);
    expectProblem(await t.http.delete(`/admin/users/${admin.id}`).set(admin.auth), 409);
    const me = await t.http.get('/users/me').set(admin.auth);
    assert.equal(me.body.role, 'admin');
    assert.equal(me.body.is_active, true);

    // An inactive admin does not count: the only active one is still the last.
    const dormant = await signUpAdmin(t);
    await t.http.patch(`/admin/users/${dormant.id}`).set(admin.auth).send({ is_active: false });
    expectProblem(await t.http.patch(`/admin/users/${admin.id}`).set(admin.auth).send({ role: 'user' }), 409);

    // With a second active admin, one may step down.
    const second = await signUpAdmin(t);
    const res = await t.http.patch(`/admin/users/${admin.id}`).set(second.auth).send({ role: 'user' });
    assert.equal(res.status, 200);
    expectProblem(await t.http.delete(`/admin/users/${second.id}`).set(second.auth), 409);
  });

  // On the embedded database (one connection) the two requests queue; on PostgreSQL they race.
  it('never leaves zero active admins when two admins demote each other at once', async () => {
    const other = await signUpAdmin(t);
    const [a, b] = await Promise.all([
      t.http.patch(`/admin/users/${other.id}`).set(admin.auth).send({ role: 'user' }),
      t.http.patch(`/admin/users/${admin.id}`).set(other.auth).send({ role: 'user' }),
    ]);
    const statuses = [a.status, b.status].sort();
    // The loser is refused (409), or finds its own session ended by the winner's demotion (401).
    assert.ok(
      statuses.every((s) => s === 200 || s === 401 || s === 409),
      `unexpected ${statuses}`,
    );
    const [{ count }] = await t.app.get(DataSource).query("SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND is_active");
    assert.equal(count, 1);
  });

  it('deletes a user with their todos; their token stops working', async () => {
    const user = await signUp(t.http);
    await t.http.post('/todos').set(user.auth).send({ title: 'mine' });
    assert.equal((await t.http.delete(`/admin/users/${user.id}`).set(admin.auth)).status, 204);
    expectProblem(await t.http.get('/users/me').set(user.auth), 401);
    const [{ count }] = await t.app.get(DataSource).query('SELECT count(*)::int AS count FROM todos');
    assert.equal(count, 0);
    expectProblem(await t.http.delete(`/admin/users/${user.id}`).set(admin.auth), 404);
    const again = await t.http.post('/auth/register').send({ email: user.email, password: PASSWORD });
    assert.equal(again.status, 201, 'the email is free again');
  });

  it('bootstraps an admin: creates a new account, refuses one it cannot vouch for', async () => {
    const { AdminBootstrapService } = await import('../../src/admin-bootstrap/admin-bootstrap.service.js');
    const bootstrap = t.app.get(AdminBootstrapService);
    const email = uniqueEmail('boss');
    assert.equal(await bootstrap.ensureAdmin(` ${email.toUpperCase()} `, PASSWORD), 'created');
    assert.equal(await bootstrap.ensureAdmin(email, PASSWORD), 'unchanged');

    // Someone registered the address first, in another case and with their own password.
    const taken = uniqueEmail('taken');
    const squatter = await signUp(t.http, taken.toUpperCase(), 'squatters-own-passphrase');
    await assert.rejects(bootstrap.ensureAdmin(taken, PASSWORD), /belongs to an account that is not verified: not promoted/);
    await t.app.get(DataSource).query('UPDATE users SET email_verified = true WHERE id = $1', [squatter.id]);
    await assert.rejects(bootstrap.ensureAdmin(taken, PASSWORD), /belongs to an account whose password differs.*: not promoted/);
    const me = await t.http.get('/users/me').set('Authorization', `Bearer ${await login(t.http, taken, 'squatters-own-passphrase')}`);
    assert.equal(me.body.role, 'user');
    assert.equal((await t.http.get('/admin/users').set(squatter.auth)).status, 403);

    await assert.rejects(bootstrap.ensureAdmin(uniqueEmail(), 'password'), /most common passwords/);
    await assert.rejects(bootstrap.ensureAdmin('not an email', PASSWORD), /not an email address/);
    await assert.rejects(bootstrap.ensureAdmin(' ', PASSWORD), /not an email address/);
  });

  it('promotes a verified account when given its own password, reactivating it and ending its sessions', async () => {
    const { AdminBootstrapService } = await import('../../src/admin-bootstrap/admin-bootstrap.service.js');
    const bootstrap = t.app.get(AdminBootstrapService);
    const user = await signUp(t.http, uniqueEmail(), 'users-own-passphrase');
    await t.app.get(DataSource).query('UPDATE users SET email_verified = true, is_active = false WHERE id = $1', [user.id]);
    assert.equal(await bootstrap.ensureAdmin(user.email.toUpperCase(), 'users-own-passphrase'), 'promoted');
    expectProblem(await t.http.get('/users/me').set(user.auth), 401, 'Session ended');
    const token = await login(t.http, user.email, 'users-own-passphrase');
    const me = await t.http.get('/users/me').set('Authorization', `Bearer ${token}`);
    assert.equal(me.body.role, 'admin');
    assert.equal(me.body.is_active, true);
    assert.equal(await bootstrap.ensureAdmin(user.email, 'users-own-passphrase'), 'unchanged');
  });

  it('does not reactivate a deactivated bootstrap admin at start-up, only from the CLI', async () => {
    const { AdminBootstrapService } = await import('../../src/admin-bootstrap/admin-bootstrap.service.js');
    const bootstrap = t.app.get(AdminBootstrapService);
    const email = uniqueEmail('boss');
    await bootstrap.ensureAdmin(email, PASSWORD);
    await t.app.get(DataSource).query('UPDATE users SET is_active = false WHERE email = $1', [email]);
    assert.equal(await bootstrap.ensureAdmin(email, PASSWORD, { reactivate: false }), 'inactive');
    expectProblem(await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD }), 403);
    assert.equal(await bootstrap.ensureAdmin(email, PASSWORD), 'promoted');
    assert.equal((await t.http.post('/auth/login').type('form').send({ username: email, password: PASSWORD })).status, 200);
  });
});
