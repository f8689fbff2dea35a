import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordResetMail, verificationMail } from './mail-templates.js';

describe('mail templates', () => {
  it('put the link and the code in both parts, escaping the HTML', () => {
    const link = 'https://app.example.com/reset-password?a=1&b="2"#token=abc';
    const mail = passwordResetMail(link, 'abc', 30);
    assert.ok(mail.text.includes(link));
    assert.ok(mail.text.includes('code:\nabc\n'));
    assert.ok(mail.html.includes('href="https://app.example.com/reset-password?a=1&amp;b=&quot;2&quot;#token=abc"'));
    assert.ok(!mail.html.includes('b="2"'));
    assert.match(mail.text, /30 minutes/);
    assert.match(verificationMail('https://x.test/verify-email#token=t', 't', 24).text, /24 hours/);
  });
});
