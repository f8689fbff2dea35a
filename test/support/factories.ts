import assert from 'node:assert/strict';
import type supertest from 'supertest';
import { AdminBootstrapService } from '../../src/admin-bootstrap/admin-bootstrap.service.js';
import type { TestApp } from './app.js';

let counter = 0;

export const PASSWORD = 'violet-kettle-harbour-42';

export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}.${process.pid}@example.com`;
}

export interface SignedIn {
  id: number;
  email: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

export async function login(http: supertest.Agent, email: string, password = PASSWORD): Promise<string> {
  const res = await http.post('/auth/login').type('form').send({ username: email, password });
  assert.equal(res.status, 200, `login failed: ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

export async function signUp(http: supertest.Agent, email = uniqueEmail(), password = PASSWORD): Promise<SignedIn> {
  const res = await http.post('/auth/register').send({ email, password });
  assert.equal(res.status, 201, `register failed: ${JSON.stringify(res.body)}`);
  const token = await login(http, email, password);
  return { id: res.body.id as number, email, password, token, auth: { Authorization: `Bearer ${token}` } };
}

/** An admin made the way an operator makes one (the bootstrap service behind the CLI), then logged in. */
export async function signUpAdmin(t: TestApp, email = uniqueEmail('admin')): Promise<SignedIn> {
  await t.app.get(AdminBootstrapService).ensureAdmin(email, PASSWORD);
  const token = await login(t.http, email);
  const me = await t.http.get('/users/me').set('Authorization', `Bearer ${token}`);
  return { id: me.body.id as number, email, password: PASSWORD, token, auth: { Authorization: `Bearer ${token}` } };
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function expectProblem(res: supertest.Response, status: number, detail?: string | RegExp) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(typeof res.body.detail, 'string');
  if (typeof detail === 'string') assert.equal(res.body.detail, detail);
  else if (detail) assert.match(res.body.detail, detail);
  if (status === 401) assert.equal(res.headers['www-authenticate'], 'Bearer');
  return res.body as { detail: string; errors?: { field: string; message: string }[] };
}

export function fieldsIn(body: { errors?: { field: string }[] }): string[] {
  return (body.errors ?? []).map((e) => e.field).sort();
}
