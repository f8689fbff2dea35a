import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mfaMail, type MfaNotice } from './mfa-mails.js';

describe('MFA mails', () => {
  const when = new Date('2026-12-02T10:00:00Z');
  const kinds: MfaNotice[] = ['enabled', 'disabled', 'recovery_codes_regenerated', 'recovery_code_used', 'reset_by_admin', 'failure_cap'];

  it('give each change its own subject, dated, in both parts', () => {
    const subjects = new Set(kinds.map((kind) => mfaMail(kind, when).subject));
    assert.equal(subjects.size, kinds.length);
    for (const kind of kinds) {
      const mail = mfaMail(kind, when);
      assert.ok(mail.text.includes('Wed, 02 Dec 2026 10:00:00 GMT'), kind);
      assert.ok(mail.html.includes('Wed, 02 Dec 2026 10:00:00 GMT'), kind);
    }
  });

  it('say how many recovery codes are left after one was used', () => {
    assert.match(mfaMail('recovery_code_used', when, 7).text, /7 unused codes are left/);
  });
});
