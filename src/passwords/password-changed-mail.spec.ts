import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordChangedMail } from './password-changed-mail.js';

describe('password-changed mail', () => {
  it('never carries a link or token in the password-changed notice', () => {
    const mail = passwordChangedMail(new Date('2026-01-02T03:04:05Z'));
    assert.match(mail.text, /Fri, 02 Jan 2026 03:04:05 GMT/);
    assert.doesNotMatch(mail.text + mail.html, /token|https?:/);
  });
});
