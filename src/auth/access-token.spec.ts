import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subjectFromClaims, tokenHeader } from './access-token.js';

describe('subjectFromClaims', () => {
  const sid = 5;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 900;
  const jti = '0b6f2a4e-9d7c-4c1e-8f3a-2d5b6c7e8f90';

  for (const [sub, id] of [
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
  ] as const) {
    it(`reads sub ${JSON.stringify(sub)} as ${id}`, () => {
      assert.deepEqual(subjectFromClaims({ sub, exp, iat, jti, sid }), { userId: id, sessionId: sid });
    });
  }

  for (const sub of ['0', '01', '-1', '+1', '1e3', '1.0', ' 1', '1 ', '1\n', '0x1', '', '2147483648', '9999999999', '12345678901']) {
    it(`refuses sub ${JSON.stringify(sub)}`, () => {
      assert.equal(subjectFromClaims({ sub, exp, iat, jti, sid }), undefined);
    });
  }

  it('refuses a numeric sub', () => {
    assert.equal(subjectFromClaims({ sub: 1 as unknown as string, exp, iat, jti, sid }), undefined);
  });

  it('refuses claims without a numeric exp', () => {
    assert.equal(subjectFromClaims({ sub: '1', iat, jti, sid }), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp: String(exp) as unknown as number, iat, jti, sid }), undefined);
  });

  it('refuses claims without a jti or a numeric iat', () => {
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, sid }), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti: '', sid }), undefined);
    assert.equal(subjectFromClaims({ sub: '1', exp, jti, sid }), undefined);
  });

  it('reads a sid up to 2^53 − 1, the bound of session ids', () => {
    for (const sid of [2_147_483_648, 3_000_000_000, Number.MAX_SAFE_INTEGER]) {
      assert.deepEqual(subjectFromClaims({ sub: '1', exp, iat, jti, sid }), { userId: 1, sessionId: sid }, String(sid));
    }
  });

  it('requires sid to be a positive integer of at most 2^53 − 1', () => {
    for (const bad of [0, -1, 1.5, 2 ** 53, 2 ** 63, '5', undefined, null]) {
      assert.equal(subjectFromClaims({ sub: '1', exp, iat, jti, sid: bad as unknown as number }), undefined, String(bad));
    }
  });
});

describe('tokenHeader', () => {
  it('reads the header and tolerates garbage', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' })).toString('base64url');
    assert.equal(tokenHeader(`${header}.e30.sig`).typ, 'at+jwt');
    assert.deepEqual(tokenHeader('not-a-token'), {});
    assert.deepEqual(tokenHeader(''), {});
    assert.deepEqual(tokenHeader(`${Buffer.from('null').toString('base64url')}.e30.sig`), {});
  });
});
