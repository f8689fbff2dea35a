import assert from 'node:assert/strict';
import type supertest from 'supertest';
import { AdminBootstrapService } from '../../src/admin-bootstrap/admin-bootstrap.service.js';
import type { FieldError } from '../../src/common/problem.js';
import { FIELD_ERROR_CODES, isProblemCode, PROBLEM_CODES, type ProblemCode, problemType } from '../../src/common/problem-codes.js';
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

/**
 * Asserts an RFC 9457 problem response and returns its body: a `code` of the status (`code`, when
 * given), the `type` naming it, each field error's code, and a 401's challenge (RFC 6750 §3).
 */
export function expectProblem(res: supertest.Response, status: number, detail?: string | RegExp, code?: ProblemCode) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.detail, 'string');
  if (typeof detail === 'string') assert.equal(res.body.detail, detail);
  else if (detail) assert.match(res.body.detail, detail);
  const body = res.body as { detail: string; code: ProblemCode; type: string; title: string; errors?: FieldError[]; error?: string };
  if (code) assert.equal(body.code, code, res.text);
  assert.ok(isProblemCode(body.code), `a known code: ${res.text}`);
  assert.equal(PROBLEM_CODES[body.code].status, status, `${body.code} is a ${status}`);
  assert.equal(body.type, problemType(body.code));
  assert.equal(body.title, PROBLEM_CODES[body.code].title);
  for (const error of body.errors ?? []) assert.ok((FIELD_ERROR_CODES as readonly string[]).includes(error.code), JSON.stringify(error));
  if (status === 401) {
    const refused = (PROBLEM_CODES[body.code] as { bearer?: string }).bearer;
    assert.equal(res.headers['www-authenticate'], refused ? `Bearer error="${refused}"` : 'Bearer');
  }
  return body;
}

export function fieldsIn(body: { errors?: { field: string }[] }): string[] {
  return (body.errors ?? []).map((e) => e.field).sort();
}
