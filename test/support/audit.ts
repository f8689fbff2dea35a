import assert from 'node:assert/strict';
import type supertest from 'supertest';

/** An event as `AuditEventOut` has it. */
export interface EventOut {
  id: number;
  type: string;
  user_id: number | null;
  actor_id: number | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  details: Record<string, string | number | boolean>;
}

/** Follows `Link: rel="next"` from `url` to the last page: every event, in the order read, and the pages it took. */
export async function walkEvents(
  http: supertest.Agent,
  auth: Record<string, string>,
  url: string,
): Promise<{ events: EventOut[]; pages: number }> {
  const events: EventOut[] = [];
  let pages = 0;
  for (let next: string | undefined = url; next !== undefined; pages += 1) {
    const res: supertest.Response = await http.get(next).set(auth);
    assert.equal(res.status, 200, res.text);
    events.push(...(res.body as EventOut[]));
    const link = res.headers.link as string | undefined;
    next = link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
    assert.equal(link === undefined, res.headers['x-next-cursor'] === undefined, 'Link and X-Next-Cursor together');
    if (link !== undefined) assert.ok(next, link);
  }
  return { events, pages };
}

/** Newest first: `created_at` descending, then `id` descending. */
export function assertNewestFirst(events: EventOut[]): void {
  for (let i = 1; i < events.length; i += 1) {
    const [a, b] = [events[i - 1], events[i]];
    assert.ok(
      a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id),
      `${JSON.stringify(a)} before ${JSON.stringify(b)}`,
    );
  }
}
