import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEnv } from './env.js';

describe('mail config', () => {
  describe('mail', () => {
    it('takes smtp:// and smtps:// URLs only', () => {
      assert.equal(loadEnv({ SMTP_URL: 'smtps://user:pass@mail.example.com:465' }).mail.smtpUrl, 'smtps://user:pass@mail.example.com:465');
      assert.throws(() => loadEnv({ SMTP_URL: 'http://mail.example.com' }), /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    });

    it('never repeats the password of a bad SMTP_URL in its error', () => {
      for (const value of ['http://mailer:s3cret-pw@mail.example.com', 'smtp://mailer:s3cret-pw@mail example.com']) {
        assert.throws(
          () => loadEnv({ SMTP_URL: value }),
          (error: Error) => {
            assert.match(error.message, /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
            assert.doesNotMatch(error.message, /s3cret-pw/);
            assert.match(error.message, /mailer:\*\*\*@mail/, 'the rest of the URL still helps to spot the mistake');
            return true;
          },
        );
      }
    });

    it('drops the trailing slash of PUBLIC_URL and refuses what is not an http(s) URL', () => {
      assert.equal(loadEnv({ PUBLIC_URL: 'https://app.example.com/' }).mail.publicUrl, 'https://app.example.com');
      assert.throws(() => loadEnv({ PUBLIC_URL: 'javascript:alert(1)' }), /PUBLIC_URL must be an http\(s\) URL/);
    });
  });
});
