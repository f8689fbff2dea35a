import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultCodeFor, FIELD_ERROR_CODES, PROBLEM_CODE_LIST, PROBLEM_CODES, problemType } from './problem-codes.js';

const docs = readFileSync(new URL('../../../docs/problems.md', import.meta.url), 'utf8');
const section = (heading: string) => docs.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';

describe('problem codes', () => {
  it('each has a section in docs/problems.md, and the page describes no other', () => {
    const documented = [...section('Codes').matchAll(/^### (\S+)$/gm)].map((match) => match[1]);
    assert.deepEqual(documented, PROBLEM_CODE_LIST);
  });

  it("each section starts with the code's status", () => {
    for (const code of PROBLEM_CODE_LIST) {
      assert.match(section('Codes'), new RegExp(`^### ${code}\\n${PROBLEM_CODES[code].status}\\. `, 'm'), code);
    }
  });

  it('each field error code is in the table, and the table has no other', () => {
    const documented = [...section('Field error codes').matchAll(/^\| `(\w+)` \|/gm)].map((match) => match[1]);
    assert.deepEqual(documented, [...FIELD_ERROR_CODES]);
  });

  it('are snake_case, with an absolute type URI naming each', () => {
    for (const code of PROBLEM_CODE_LIST) {
      assert.match(code, /^[a-z]+(_[a-z]+)*$/);
      assert.match(problemType(code), new RegExp(`^tag:[a-z0-9.-]+,\\d{4}:problems/${code}$`));
    }
  });

  it('gives a status without its own code the one that fits it', () => {
    assert.equal(defaultCodeFor(404), 'not_found');
    assert.equal(defaultCodeFor(418), 'malformed_request');
    assert.equal(defaultCodeFor(502), 'internal_error');
  });
});
