// Users with two-step sign-in on, for the `mfa` phase of bench/run.mjs: enrolled through the API
// as a person would (register, log in, set up with the password, confirm with a code), then
// logged in with the password and a fresh TOTP code, each code worked out with otplib, the
// library the server checks them with.
import { setTimeout as sleep } from 'node:timers/promises';
import { generateSync } from 'otplib';
import { passwordGrant, request } from './login-client.mjs';

/** RFC 6238's step, as the server's `TOTP_PERIOD_SECONDS`. */
const PERIOD_MS = 30_000;
export const stepNow = () => Math.floor(Date.now() / PERIOD_MS);
const codeFor = (secret, step) => generateSync({ secret, epoch: (step * PERIOD_MS) / 1000 });

async function expect(status, pending, what) {
  const res = await pending;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Registers `emails` and turns MFA on for each, `parallel` users at a time. The confirming code is
 * the previous step's, which the server accepts (clock drift) and records as the last step used:
 * so every user may log in with the current step's code at once, even when enrolled within it.
 */
export async function enrol(port, emails, password, parallel) {
  const one = async (email) => {
    await expect(201, request(port, 'POST', '/auth/register', { json: { email, password } }), 'register');
    const { access_token: token } = await expect(200, passwordGrant(port, email, password), 'login');
    const { secret } = await expect(200, request(port, 'POST', '/auth/mfa/totp/setup', { token, json: { password } }), 'MFA setup');
    const step = stepNow() - 1;
    await expect(200, request(port, 'POST', '/auth/mfa/totp/confirm', { token, json: { code: codeFor(secret, step) } }), 'MFA confirm');
    return { email, password, secret, lastStep: step };
  };
  // Workers taking the next email as each finishes, so the server's hash queue never runs dry.
  const users = [];
  let next = 0;
  const worker = async () => {
    while (next < emails.length) users.push(await one(emails[next++]));
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return users;
}

/**
 * The enrolled users, handed out so that none logs in twice within one 30-second step (the server
 * accepts a user's code once per step): first in, first out, so the user at the head is the one
 * whose last login is oldest. When even that one logged in during the current step, the pool is
 * too small for the rate: the caller waits for the next step, and `starved` counts the waits.
 */
export class TotpUserPool {
  constructor(users) {
    this.free = [...users];
    this.starved = 0;
  }

  async take() {
    for (;;) {
      const head = this.free[0];
      if (head && head.lastStep < stepNow()) return this.free.shift();
      this.starved += 1;
      await sleep(head ? PERIOD_MS - (Date.now() % PERIOD_MS) + 5 : 10);
    }
  }

  give(user) {
    this.free.push(user);
  }
}

/**
 * One whole login with MFA on: the password grant, which must answer 403 `mfa_required`, then
 * `POST /auth/mfa/verify` with the token and the current step's code, for `user` taken from
 * `pool`, to which it goes back. Returns the final status.
 */
export async function mfaLogin(port, pool, user) {
  try {
    const first = await passwordGrant(port, user.email, user.password);
    if (first.status !== 403 || first.body?.code !== 'mfa_required') throw new Error(`password grant: ${first.status} ${first.body?.code}`);
    // Spent from here on, whatever the answer: the code's step is the user's last.
    user.lastStep = stepNow();
    const code = codeFor(user.secret, user.lastStep);
    const second = await request(port, 'POST', '/auth/mfa/verify', { json: { mfa_token: first.body.mfa_token, code } });
    return second.status;
  } finally {
    pool.give(user);
  }
}

/**
 * How many users a pool needs for `rate` logins/s over `seconds`: the logins of one step at most,
 * and a margin, since on a shared machine the rate it is sized from moves by tens of percent.
 */
export const poolSizeFor = (rate, seconds, connections) => Math.ceil(rate * Math.min(seconds, PERIOD_MS / 1000) * 1.6) + connections;
