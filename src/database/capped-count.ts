import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { TOTAL_COUNT_CAP } from '../common/list-page.js';

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
