import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { totalFromPage } from './list-page.js';

describe('totalFromPage', () => {
  const limit = 20;

  it('tells the total of a page from the start or by offset that holds the list’s last row', () => {
    assert.equal(totalFromPage(7, { limit, offset: 0 }), 7, 'a short first page');
    assert.equal(totalFromPage(0, { limit, offset: 0 }), 0, 'an empty list');
    assert.equal(totalFromPage(3, { limit, offset: 40 }), 43, 'a short page by offset');
    assert.equal(totalFromPage(limit, { limit, offset: 40 }), 60, 'a full page with no row after it');
    assert.equal(totalFromPage(5, { limit, offset: 1_000 }), 1_005, 'past the cap: cappedTotal says it exceeds');
  });

  it('leaves to a count a page past the end, a page with a next, and any page after a cursor', () => {
    assert.equal(totalFromPage(0, { limit, offset: 40 }), undefined, 'an offset past the end, by how much unknown');
    assert.equal(totalFromPage(limit + 1, { limit, offset: 0 }), undefined, 'a full first page with a row after it');
    assert.equal(totalFromPage(limit + 1, { limit, offset: 40 }), undefined, 'a full page by offset with a row after it');
    for (const rows of [0, 3, limit, limit + 1]) {
      assert.equal(totalFromPage(rows, { limit, offset: 0, cursor: 'c' }), undefined, `${rows} rows after a cursor`);
    }
  });
});
