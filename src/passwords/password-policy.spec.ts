import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normalizePassword,
  PASSWORD_MAX_UNITS,
  passwordProblem,
  passwordTooLong,
  samePassword,
  setPasswordMinChars,
} from './password-policy.js';

/** Runs `action` with `String.prototype.normalize` counting its calls. */
function countingNormalize(action: () => void): number {
  const original = String.prototype.normalize;
  let calls = 0;
  String.prototype.normalize = function (this: string, form?: string) {
    calls += 1;
    return original.call(this, form);
  };
  try {
    action();
  } finally {
    String.prototype.normalize = original;
  }
  return calls;
}

const TOO_SHORT = 'must be at least 8 characters';
const TOO_LONG = 'must be at most 128 characters';
const COMMON = 'is one of the most common passwords; choose a less predictable one';
const CONTAINS_EMAIL = 'must not contain the first part of your email address';
const BLANK = 'must contain visible characters, not only spaces or invisible ones';
const REPEATED = 'must not be a single character repeated; choose a less predictable one';
const SEQUENCE = 'must not be a plain sequence such as 12345678 or abcdefgh; choose a less predictable one';

describe('normalizePassword', () => {
  it('applies NFKC', () => {
    assert.equal(normalizePassword('\uFB03x'), 'ffix');
    assert.equal(normalizePassword('ｐａｓｓ'), 'pass');
    assert.equal(normalizePassword('e\u0301'), '\u00e9');
  });

  it('neither trims nor changes case', () => {
    assert.equal(normalizePassword('  Secret Phrase  '), '  Secret Phrase  ');
  });
});

describe('samePassword', () => {
  it('compares as the hash does: after NFKC, never trimmed or lower-cased', () => {
    assert.equal(samePassword('\uFB03x-kettle-42', 'ffix-kettle-42'), true);
    assert.equal(samePassword('violet-kettle-42', 'violet-kettle-42 '), false);
    assert.equal(samePassword('violet-kettle-42', 'Violet-kettle-42'), false);
  });
});

describe('passwordProblem', () => {
  describe('length', () => {
    it('refuses 7 characters and accepts 8', () => {
      assert.equal(passwordProblem('kq7#vz2'), TOO_SHORT);
      assert.equal(passwordProblem('kq7#vz2m'), undefined);
    });

    it('accepts 128 characters and refuses 129', () => {
      assert.equal(passwordProblem('kq7#vz2m'.repeat(16)), undefined);
      assert.equal(passwordProblem('kq7#vz2m'.repeat(16) + 'x'), TOO_LONG);
    });

    it('counts an emoji as one character, not two UTF-16 units', () => {
      assert.equal(passwordProblem('🔑🐍'.repeat(4).slice(0, -2)), TOO_SHORT);
      assert.equal(passwordProblem('🔑🐍'.repeat(4)), undefined);
      assert.equal(passwordProblem('🔑🐍'.repeat(64)), undefined);
      assert.equal(passwordProblem('🔑🐍'.repeat(64) + '🔑'), TOO_LONG);
    });

    it('measures after NFKC, where one ligature becomes three letters', () => {
      // 6 code points as typed, 8 once U+FB03 expands to "ffi".
      assert.equal(passwordProblem('\uFB03kq7#v'), undefined);
      // 43 code points as typed, 129 once expanded.
      assert.equal(passwordProblem('\uFB03'.repeat(43)), TOO_LONG);
    });

    it('never trims, so surrounding spaces count', () => {
      assert.equal(passwordProblem('  kq7#v  '), undefined);
    });

    it('lets 128 four-byte characters (exactly 512 bytes) through', () => {
      const password = '𝄞𝄢'.repeat(64);
      assert.equal(Buffer.byteLength(password, 'utf8'), 512);
      assert.equal(passwordProblem(password), undefined);
    });

    // No code point needs more than 4 UTF-8 bytes, so the character limit always trips first.
    it('reports the character limit for 129 four-byte characters (516 bytes)', () => {
      assert.equal(passwordProblem('𝄞'.repeat(129)), TOO_LONG);
    });

    it('refuses a huge input by its UTF-16 length alone, before NFKC multiplies it', () => {
      const huge = '\uFDFA'.repeat(33_000);
      assert.equal(
        countingNormalize(() => assert.equal(passwordProblem(huge), TOO_LONG)),
        0,
      );
      assert.equal(
        countingNormalize(() => assert.equal(passwordProblem(huge, 'anna@example.com'), TOO_LONG)),
        0,
      );
    });

    it('looks no further than the length at one unit past four a character', () => {
      assert.equal(passwordTooLong('x'.repeat(PASSWORD_MAX_UNITS)), false);
      assert.equal(passwordTooLong('x'.repeat(PASSWORD_MAX_UNITS + 1)), true);
      assert.equal(
        countingNormalize(() => assert.equal(passwordProblem('x'.repeat(PASSWORD_MAX_UNITS + 1)), TOO_LONG)),
        0,
      );
      // Within the bound the full check runs, and still measures after NFKC.
      assert.ok(countingNormalize(() => assert.equal(passwordProblem('x'.repeat(PASSWORD_MAX_UNITS)), TOO_LONG)) > 0);
    });
  });

  describe('common passwords', () => {
    for (const password of ['password', 'PASSWORD', 'Password1', 'iloveyou', 'baseball', 'trustno1', '12345678']) {
      it(`refuses ${JSON.stringify(password)}`, () => {
        assert.equal(passwordProblem(password), COMMON);
      });
    }

    it('compares after NFKC, so full-width letters do not disguise a common password', () => {
      assert.equal(passwordProblem('ｐａｓｓｗｏｒｄ'), COMMON);
    });

    it('accepts a word that merely contains a common password', () => {
      assert.equal(passwordProblem('password-kq7#vz'), undefined);
    });
  });

  describe('what the list cannot hold', () => {
    for (const password of ['password ', ' password', '\tPassWord\u3000', '\u200Bpassword\u200B', 'iloveyou\n']) {
      it(`refuses ${JSON.stringify(password)}: the list is checked without surrounding blanks`, () => {
        assert.equal(passwordProblem(password), COMMON);
      });
    }

    const blanks = {
      'eight spaces': ' '.repeat(8),
      'eight ideographic spaces (U+3000)': '\u3000'.repeat(8),
      'eight tabs': '\t'.repeat(8),
      'eight zero-width spaces (U+200B)': '\u200B'.repeat(8),
      'eight Hangul fillers (U+3164)': '\u3164'.repeat(8),
      'a mix of blanks': ' \t\u00A0\u2003\u200B\u200D\uFEFF\u2800\u3000',
    };
    for (const [name, password] of Object.entries(blanks)) {
      it(`refuses ${name}`, () => {
        assert.equal(passwordProblem(password), BLANK);
      });
    }

    for (const password of ['zzzzzzzzzzzz', '00000000', 'ÄÄÄÄÄÄÄÄ', 'kKkKkKkKkK', '  qqqqqqqqq ', 'q       ', '🔑'.repeat(8)]) {
      it(`refuses ${JSON.stringify(password)}: one character repeated`, () => {
        assert.equal(passwordProblem(password), REPEATED);
      });
    }

    for (const password of [
      '23456789',
      '0123456789',
      'abcdefghij',
      'QRSTUVWX',
      'zyxwvuts',
      'hgfedcba',
      '9876543210',
      ' ghijklmn ',
      'αβγδεζηθ',
    ]) {
      it(`refuses ${JSON.stringify(password)}: a plain sequence`, () => {
        assert.equal(passwordProblem(password), SEQUENCE);
      });
    }

    it('reports a listed sequence as listed', () => {
      assert.equal(passwordProblem('12345678'), COMMON);
      assert.equal(passwordProblem('87654321'), COMMON);
    });

    for (const password of ['abcdefgx', 'zzzzzzzy', '13579bdf', 'a b c d e f g h', 'correct horse battery staple', '   kq7#vz2m   ']) {
      it(`accepts ${JSON.stringify(password)}: no composition rules beyond these`, () => {
        assert.equal(passwordProblem(password), undefined);
      });
    }
  });

  describe('minimum length (PASSWORD_MIN_LENGTH)', () => {
    it('applies the minimum it is given', () => {
      assert.equal(passwordProblem('kq7#vz2m-tu', undefined, 12), 'must be at least 12 characters');
      assert.equal(passwordProblem('kq7#vz2m-tul', undefined, 12), undefined);
    });

    it('applies the configured minimum by default', () => {
      setPasswordMinChars(15);
      try {
        assert.equal(passwordProblem('kq7#vz2m-tulip'), 'must be at least 15 characters');
        assert.equal(passwordProblem('kq7#vz2m-tulips'), undefined);
      } finally {
        setPasswordMinChars(8);
      }
      assert.equal(passwordProblem('kq7#vz2m'), undefined);
    });
  });

  describe('email context', () => {
    it('refuses a password containing a local part of 4 or more characters', () => {
      assert.equal(passwordProblem('xxanna-42-xx', 'anna@example.com'), CONTAINS_EMAIL);
    });

    it('compares case-insensitively on both sides', () => {
      assert.equal(passwordProblem('My-ALICE-2024', 'Alice@example.com'), CONTAINS_EMAIL);
      assert.equal(passwordProblem('my-alice-2024', ' ALICE@EXAMPLE.COM '), CONTAINS_EMAIL);
    });

    it('ignores a local part shorter than 4 characters', () => {
      assert.equal(passwordProblem('bob-kq7#vz2m', 'bob@x.com'), undefined);
    });

    it('ignores the domain', () => {
      assert.equal(passwordProblem('example-kq7#vz', 'anna@example.com'), undefined);
    });

    it('accepts a password unrelated to the email', () => {
      assert.equal(passwordProblem('kq7#vz2m-tulip', 'anna@example.com'), undefined);
    });

    it('skips the check without an email', () => {
      assert.equal(passwordProblem('xxanna-42-xx'), undefined);
    });

    it('reports the common-password problem before the email one', () => {
      assert.equal(passwordProblem('password', 'password@example.com'), COMMON);
    });

    // Lower-casing the local part before NFKC leaves 𝐀𝐍𝐍𝐀 as "ANNA", which a lower-cased password
    // can never contain.
    it('catches a local part whose NFKC form is upper-case', () => {
      assert.equal(passwordProblem('anna-kq7#vz2m', '𝐀𝐍𝐍𝐀@example.com'), CONTAINS_EMAIL);
    });
  });
});
