import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import type supertest from 'supertest';
import { PASSWORD, type SignedIn } from './factories.js';

const PERIOD = 30;
const stepNow = () => Math.floor(Date.now() / 1000 / PERIOD);

/** The TOTP code of `secret` for `step` (RFC 6238 defaults: SHA-1, 6 digits, 30 s), from the same library the server uses. */
export const codeFor = (secret: string, step: number) => generateSync({ secret, epoch: step * PERIOD });

/**
 * An authenticator app that never shows the same code twice: each code is for the current step,
 * or the step after the last one it gave. The server accepts the step before and after its own,
 * so two codes in a row always pass; a test needing more uses a recovery code or a new account.
 */
export class Authenticator {
  private last = -1;

  constructor(readonly secret: string) {}

  code(): string {
    const step = Math.max(this.last + 1, stepNow());
    assert.ok(step <= stepNow() + 1, 'only two fresh codes fit in the window: use a recovery code or a new account');
    this.last = step;
    return codeFor(this.secret, step);
  }

  /** A code the server must refuse: five steps away from now. */
  wrongCode(): string {
    return codeFor(this.secret, stepNow() + 5);
  }

  /** The last code given again, as a replay. */
  lastCode(): string {
    return codeFor(this.secret, this.last);
  }
}

export interface MfaUser extends SignedIn {
  app: Authenticator;
  recoveryCodes: string[];
}

/** Sets up and confirms MFA for `user` (the confirm spends one code of its authenticator). */
export async function enableMfa(http: supertest.Agent, user: SignedIn): Promise<MfaUser> {
  const setup = await http.post('/auth/mfa/totp/setup').set(user.auth).send({ password: PASSWORD });
  assert.equal(setup.status, 200, setup.text);
  const app = new Authenticator(setup.body.secret as string);
  const confirm = await http.post('/auth/mfa/totp/confirm').set(user.auth).send({ code: app.code() });
  assert.equal(confirm.status, 200, confirm.text);
  return { ...user, app, recoveryCodes: confirm.body.recovery_codes as string[] };
}

/** The password grant: for an account with MFA on, a 403 `mfa_required` carrying the `mfa_token`. */
export const passwordGrant = (http: supertest.Agent, email: string, password = PASSWORD) =>
  http.post('/auth/login').type('form').send({ username: email, password });

/** The first step of a login with MFA on: its `mfa_token`. */
export async function mfaToken(http: supertest.Agent, email: string): Promise<string> {
  const res = await passwordGrant(http, email);
  assert.equal(res.status, 403, res.text);
  assert.equal(res.body.code, 'mfa_required');
  return res.body.mfa_token as string;
}

export const verify = (http: supertest.Agent, token: string, code: string) =>
  http.post('/auth/mfa/verify').send({ mfa_token: token, code });
