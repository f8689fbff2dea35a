import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateSync } from 'otplib';
import { matchingStep, newTotpSecret, otpauthUri, totpCodeShape } from './totp.js';

describe('TOTP', () => {
  const secret = newTotpSecret();
  // The middle of a step, so the steps either side are whole.
  const now = (59_000_000 * 30 + 15) * 1000;
  const step = 59_000_000;
  const codeAt = (s: number) => generateSync({ secret, epoch: s * 30 });

  it('makes 160-bit base32 secrets, a new one each time', () => {
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.notEqual(newTotpSecret(), secret);
  });

  it('accepts the code of the current step and of the steps either side, and names the step', async () => {
    assert.equal(await matchingStep(secret, codeAt(step), now), step);
    assert.equal(await matchingStep(secret, codeAt(step - 1), now), step - 1);
    assert.equal(await matchingStep(secret, codeAt(step + 1), now), step + 1);
  });

  it('refuses codes two steps away or more', async () => {
    for (const s of [step - 2, step + 2, step - 10]) {
      const code = codeAt(s);
      // A code may repeat across steps by chance (one in a million); only a distinct one proves anything.
      if ([step - 1, step, step + 1].some((near) => codeAt(near) === code)) continue;
      assert.equal(await matchingStep(secret, code, now), undefined, `step ${s}`);
    }
  });

  it('matches RFC 6238’s SHA-1 test vector (T = 59 s, 8 digits truncated to our 6)', async () => {
    // RFC 6238 Appendix B: secret "12345678901234567890" (base32 below), T = 59 → 94287082.
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    assert.equal(await matchingStep(rfcSecret, '287082', 59_000), 1);
  });

  it('reads six digits, spaces ignored, and nothing else', () => {
    assert.equal(totpCodeShape(' 123 456 '), '123456');
    for (const input of ['12345', '1234567', '12345a', '']) assert.equal(totpCodeShape(input), undefined, input);
  });

  it('names the issuer and the account in the otpauth URI; SHA-1, 6 digits and 30 s are the format’s defaults, left out', () => {
    const uri = new URL(otpauthUri(secret, 'Auth & Todos', 'ada@example.com'));
    assert.equal(`${uri.protocol}//${uri.host}`, 'otpauth://totp');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Auth & Todos');
    // Google's key URI format: a missing algorithm, digits or period means SHA1, 6 and 30.
    assert.ok([null, 'SHA1'].includes(uri.searchParams.get('algorithm')));
    assert.ok([null, '6'].includes(uri.searchParams.get('digits')));
    assert.ok([null, '30'].includes(uri.searchParams.get('period')));
    assert.match(decodeURIComponent(uri.pathname), /ada@example\.com$/);
  });
});
