import type { ObjectLiteral, Repository } from 'typeorm';
import { setImmediate as yieldToRequests } from 'node:timers/promises';

/** Rows one purge statement deletes at most: its locks and its WAL stay small on any table. */
export const PURGE_BATCH_ROWS = 1_000;

/**
 * Deletes the rows matching `condition` (fixed SQL over the table's columns, never client text)
 * a batch at a time, each batch its own statement and transaction, until a batch comes back
 * short. A purge of a million rows so never holds a long lock or a long transaction, and rows a
 * purge on another instance has locked are skipped rather than waited for. Returns the number of
 * rows deleted.
 */
export async function purgeInBatches<T extends ObjectLiteral>(
  repository: Repository<T>,
  condition: string,
  batchRows = PURGE_BATCH_ROWS,
): Promise<number> {
  const [key] = repository.metadata.primaryColumns;
  const batch = repository
    .createQueryBuilder('purged')
    .select(`purged.${key.propertyName}`)
    .where(condition)
    .limit(batchRows)
    .setLock('pessimistic_write')
    .setOnLocked('skip_locked')
    .getQuery();
  let deleted = 0;
  for (;;) {
    const affected = (await repository.createQueryBuilder().delete().where(`"${key.databaseName}" IN (${batch})`).execute()).affected ?? 0;
    deleted += affected;
    if (affected < batchRows) return deleted;
    // Requests get the pool and the event loop between batches.
    await yieldToRequests();
  }
}
