import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { ListCursors, type ListQuery } from '../common/list-cursors.js';
import type { ListPage } from '../common/list-page.js';
import { cappedCount, totalFromPageOrCount } from '../database/capped-count.js';
import { AuditEvent } from './audit-event.entity.js';
import type { ListAuditEventsQueryDto, ListSecurityEventsQueryDto } from './dto/list-audit-events-query.dto.js';

/** Which events a list shows: every account's (the admins' audit trail) or one account's own. */
export type AuditScope = { list: 'audit_events' } | { list: 'security_events'; userId: number };

/**
 * The event lists, newest first by `(created_at, id)`: a range of the index of the filter (one
 * user's, one type's, or the time index), after the cursor's position when there is one. One row
 * more than `limit` tells whether a next page exists; a page that holds the list's last row tells
 * the total, else it counts at most `TOTAL_COUNT_CAP + 1` matching rows.
 */
@Injectable()
export class AuditEventsService {
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly cursors: ListCursors,
  ) {}

  async list(
    scope: AuditScope,
    query: ListAuditEventsQueryDto | ListSecurityEventsQueryDto,
  ): Promise<{ events: AuditEvent[]; page: ListPage }> {
    const { page, count, bound } = this.listQueries(scope, query);
    const events = await page.getMany();
    const last = events[query.limit - 1];
    const next = events.length > query.limit ? this.cursors.encode(bound, [last.createdAt.toISOString(), last.id]) : undefined;
    return { events: events.slice(0, query.limit), page: { total: await totalFromPageOrCount(events.length, query, count), next } };
  }

  /** The list's two queries (also what the tests `EXPLAIN`), and the query its cursors are bound to. */
  listQueries(
    scope: AuditScope,
    query: ListAuditEventsQueryDto | ListSecurityEventsQueryDto,
  ): { page: SelectQueryBuilder<AuditEvent>; count: SelectQueryBuilder<ObjectLiteral>; bound: ListQuery } {
    const userId = scope.list === 'security_events' ? scope.userId : (query as ListAuditEventsQueryDto).user_id;
    const bound = { list: scope.list, user: userId, type: query.type, since: query.since, until: query.until };
    const matching = this.events.createQueryBuilder('event');
    if (userId !== undefined) matching.andWhere('event.userId = :userId', { userId });
    if (query.type) matching.andWhere('event.type = :type', { type: query.type });
    if (query.since) matching.andWhere('event.createdAt >= :since', { since: new Date(query.since) });
    if (query.until) matching.andWhere('event.createdAt < :until', { until: new Date(query.until) });
    const count = cappedCount(matching);
    const page = matching
      .orderBy('event.createdAt', 'DESC')
      .addOrderBy('event.id', 'DESC')
      .offset(query.offset)
      .limit(query.limit + 1);
    if (query.cursor !== undefined) {
      const [at, id] = this.cursors.decode(bound, query.cursor, ['string', 'number']);
      // One row comparison, which the index's descending scan serves as a range.
      page.andWhere('(event.createdAt, event.id) < (CAST(:at AS timestamptz), CAST(:id AS bigint))', { at, id });
    }
    return { page, count, bound };
  }
}
