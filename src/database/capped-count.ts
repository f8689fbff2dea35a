import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { cappedTotal, type ListPage, type PageQuery, TOTAL_COUNT_CAP, totalFromPage } from '../common/list-page.js';

/**
 * A list's total as one query: `count(*)::int AS total` over at most `TOTAL_COUNT_CAP + 1` of the
 * rows `matching` (a list's filters, before its order and page) selects, so counting costs the
 * same however many match.
 */
export function cappedCount<T extends ObjectLiteral>(matching: SelectQueryBuilder<T>): SelectQueryBuilder<ObjectLiteral> {
  const counted = matching
    .clone()
    .select('1')
    .limit(TOTAL_COUNT_CAP + 1);
  return matching.connection
    .createQueryBuilder()
    .select('count(*)::int', 'total')
    .from(`(${counted.getQuery()})`, 'matching')
    .setParameters(counted.getParameters());
}

/**
 * The total of a list whose page, read first, returned `rows` (`totalFromPage`): the page's own
 * when it holds the list's last row, else `count`'s (a `cappedCount`), run only then. The count
 * follows the page rather than running beside it: a request holds one pool connection at a time,
 * and most lists fit on their first page; a page that needs a count pays one round trip more.
 */
export async function totalFromPageOrCount(
  rows: number,
  query: PageQuery,
  count: SelectQueryBuilder<ObjectLiteral>,
): Promise<ListPage['total']> {
  return cappedTotal(totalFromPage(rows, query) ?? (await count.getRawOne<{ total: number }>())!.total);
}
