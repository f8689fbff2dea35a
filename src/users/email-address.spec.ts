import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailProblem, normalizeEmail } from './email-address.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    assert.equal(normalizeEmail('  Alice.Smith@Example.COM \n'), 'alice.smith@example.com');
  });

  it('turns full-width and other compatibility forms into the letters they look like', () => {
    assert.equal(normalizeEmail('ａｌｉｃｅ@example.com'), 'alice@example.com');
    assert.equal(normalizeEmail('ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ'), 'alice@example.com');
    assert.equal(normalizeEmail('\ufeffﬁona@example.com'), 'fiona@example.com');
  });
});

describe('emailProblem', () => {
  it('accepts a plain address', () => {
    assert.equal(emailProblem('alice@example.com'), undefined);
    assert.equal(emailProblem('o.brien+news@example.co.uk'), undefined);
  });

  for (const invisible of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u202e', '\u3164']) {
    it(`refuses U+${invisible.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} inside an address`, () => {
      assert.match(emailProblem(normalizeEmail(`ali${invisible}ce@example.com`)) ?? '', /invisible/);
    });
  }

  it('refuses a quoted local part', () => {
    assert.match(emailProblem('"a b"@example.com') ?? '', /quoted/);
    assert.match(emailProblem('"alice"@example.com') ?? '', /quoted/);
  });
});
