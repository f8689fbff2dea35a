import type { FastifyReply } from 'fastify';

/** The deepest page `offset` reaches; past it, pages are reached by `cursor` (the cost of an offset grows with it). */
export const OFFSET_MAX = 1_000;

/** Rows counted for `X-Total-Count` at most: beyond, the total is said to be larger, not counted. */
export const TOTAL_COUNT_CAP = 1_000;

export const TOTAL_COUNT_HEADER = 'X-Total-Count';
export const TOTAL_COUNT_EXCEEDS_HEADER = 'X-Total-Count-Exceeds';
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor';

/** The headers a list answers with, for CORS to expose to browsers. */
export const LIST_HEADERS = ['Link', NEXT_CURSOR_HEADER, TOTAL_COUNT_HEADER, TOTAL_COUNT_EXCEEDS_HEADER];

/** What a list tells beside its page: how many rows match (`exact` false: more than `count`), and the next page's cursor. */
export interface ListPage {
  total: { count: number; exact: boolean };
  next?: string;
}

/** A count of at most `TOTAL_COUNT_CAP + 1` rows as the total it tells. */
export function cappedTotal(counted: number): ListPage['total'] {
  return counted > TOTAL_COUNT_CAP ? { count: TOTAL_COUNT_CAP, exact: false } : { count: counted, exact: true };
}

/** Where a page starts and how many rows it holds at most, as every list's query has them. */
export interface PageQuery {
  limit: number;
  offset: number;
  cursor?: string;
}

/**
 * A list's total as its page tells it, or `undefined` when only a count can. `rows` is what the
 * page's query returned, which reads `limit + 1` rows to learn whether a next page exists: at most
 * `limit` means the page holds the list's last row, so a page from the start or by offset has
 * `offset + rows` rows before and in it, and the list no more. Not a page after a cursor (the rows
 * before it are not counted anywhere), nor an empty page past the start: the offset may reach past
 * the end, by how much is unknown. A list whose page tells its total runs no count, so takes no
 * second connection for one; the total still goes through `cappedTotal`, as a count's would.
 */
export function totalFromPage(rows: number, query: PageQuery): number | undefined {
  if (query.cursor !== undefined || rows > query.limit || (rows === 0 && query.offset > 0)) return undefined;
  return query.offset + rows;
}

const PAGING = `Follow \`Link: <…>; rel="next"\` (or send \`X-Next-Cursor\` as \`cursor\` with the same parameters) until it is absent to walk the whole list once, in order.`;

/** The response headers of every list, for `@ApiOkResponse({ headers })`. */
export const ApiListHeaders = {
  [TOTAL_COUNT_HEADER]: {
    description: `Number of items matching the filters, ignoring \`limit\`, \`offset\` and \`cursor\`. Exact, and sent, when at most ${TOTAL_COUNT_CAP} match; beyond, it is absent and \`${TOTAL_COUNT_EXCEEDS_HEADER}\` is sent instead.`,
    schema: { type: 'integer', minimum: 0, maximum: TOTAL_COUNT_CAP },
  },
  [TOTAL_COUNT_EXCEEDS_HEADER]: {
    description: `Sent instead of \`${TOTAL_COUNT_HEADER}\` when more than ${TOTAL_COUNT_CAP} items match: the total is larger than this value and was not counted (show it as "more than ${TOTAL_COUNT_CAP}").`,
    schema: { type: 'integer', example: TOTAL_COUNT_CAP },
  },
  Link: {
    description: `RFC 8288 link to the next page, \`<relative URL>; rel="next"\`, absent on the last page. The URL is this request's with \`cursor\` set (and \`offset\` dropped). ${PAGING}`,
    schema: {
      type: 'string',
      example: '</todos?limit=20&cursor=WyIyMDI2LTAxLTAxVDEyOjAwOjAwLjAwMDAwMFoiLDQyXQ.hQ1zvbbvGm8UfvLR2B4eWQ>; rel="next"',
    },
  },
  [NEXT_CURSOR_HEADER]: {
    description: `The next page's \`cursor\`, the one in \`Link\`; absent on the last page. ${PAGING}`,
    schema: { type: 'string', example: 'WyIyMDI2LTAxLTAxVDEyOjAwOjAwLjAwMDAwMFoiLDQyXQ.hQ1zvbbvGm8UfvLR2B4eWQ' },
  },
};

/**
 * Sets a list's headers: the total (or that it exceeds the cap), and when there is a next page,
 * `X-Next-Cursor` and a `Link` to it, relative: the request's own path and query with `cursor` set
 * and `offset` dropped (the cursor already holds the position).
 */
export function setListHeaders(reply: FastifyReply, page: ListPage): void {
  if (page.total.exact) reply.header(TOTAL_COUNT_HEADER, String(page.total.count));
  else reply.header(TOTAL_COUNT_EXCEEDS_HEADER, String(page.total.count));
  if (page.next === undefined) return;
  const url = new URL(reply.request.url, 'http://x');
  url.searchParams.delete('offset');
  url.searchParams.set('cursor', page.next);
  reply.header(NEXT_CURSOR_HEADER, page.next);
  reply.header('Link', `<${url.pathname}${url.search}>; rel="next"`);
}
