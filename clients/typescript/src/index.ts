import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export {
  type AuthSession,
  type AuthSessionOptions,
  type ChannelLike,
  createAuthSession,
  type LockManagerLike,
  type ProblemBody,
  type RefreshTokenStorage,
  type SignedOutEvent,
  type SignInResult,
  type StorageLike,
} from './auth-session.js';

type Schemas = components['schemas'];
/** RFC 9457 problem details: the body of every error response (`application/problem+json`). */
export type Problem = Schemas['Problem'];
export type FieldError = Schemas['FieldError'];
/** What went wrong, for a client to branch on: one of the API's stable codes (docs/problems.md). */
export type ProblemCode = Schemas['ProblemCode'];
/** What is wrong with one field of a 422. */
export type FieldErrorCode = Schemas['FieldErrorCode'];
export type Token = Schemas['Token'];
export type UserOut = Schemas['UserOut'];
export type TodoOut = Schemas['TodoOut'];
export type SessionOut = Schemas['SessionOut'];
export type Role = Schemas['Role'];

export type ApiClient = Client<paths>;

export interface ApiClientOptions extends ClientOptions {
  /** Asked before every request; a token it returns goes out as `Authorization: Bearer <token>`. */
  accessToken?: () => string | undefined | Promise<string | undefined>;
}

/** A typed client: `client.GET('/todos', { params: { query: { limit: 20 } } })` returns `{ data, error, response }`. */
export function createApiClient({ accessToken, ...options }: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>(options);
  if (accessToken) {
    client.use({
      async onRequest({ request }) {
        const token = await accessToken();
        if (token) request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' } as const;

/** The OAuth2 password grant at `/auth/login`: the email goes in `username`, as a form. */
export function logIn(client: ApiClient, email: string, password: string) {
  return client.POST('/auth/login', { body: { grant_type: 'password', username: email, password }, headers: FORM });
}

/**
 * `X-Total-Count` of a list response: how many items match, ignoring `limit`, `offset` and
 * `cursor`. Throws when too many match to be counted (see `listTotal`).
 */
export function totalCount(response: Response): number {
  const total = listTotal(response);
  if (!total.exact) throw new Error(`More than ${total.count} items match: the total was not counted`);
  return total.count;
}

/**
 * The total of a list response: `{ count, exact: true }` from `X-Total-Count`, or, when more items
 * match than the server counts (`X-Total-Count-Exceeds`), `{ count, exact: false }`: more than
 * `count` (show "more than 1,000").
 */
export function listTotal(response: Response): { count: number; exact: boolean } {
  for (const [header, exact] of [
    ['X-Total-Count', true],
    ['X-Total-Count-Exceeds', false],
  ] as const) {
    const value = response.headers.get(header);
    if (value !== null && /^\d+$/.test(value)) return { count: Number(value), exact };
  }
  throw new Error('No usable X-Total-Count or X-Total-Count-Exceeds header');
}

/** `X-Next-Cursor` of a list response: the `cursor` of the next page, `undefined` on the last page. */
export function nextCursor(response: Response): string | undefined {
  return response.headers.get('X-Next-Cursor') ?? undefined;
}

/**
 * Every page of a list, in order, each row once even while rows are added or deleted meanwhile:
 * `fetchPage` is called with `undefined`, then with each page's `X-Next-Cursor`, until the last
 * page. Send the cursor with the same filters, `q` and `sort` (another query's cursor is a 422).
 *
 * ```ts
 * for await (const todos of pages((cursor) => client.GET('/todos', { params: { query: { sort: 'title', cursor } } }))) render(todos);
 * ```
 */
export async function* pages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ data?: T[]; error?: unknown; response: Response }>,
): AsyncGenerator<T[], void, undefined> {
  let cursor: string | undefined;
  do {
    const { data, error, response } = await fetchPage(cursor);
    if (data === undefined) throw new Error(`List request failed with ${response.status}: ${JSON.stringify(error)}`);
    yield data;
    cursor = nextCursor(response);
  } while (cursor !== undefined);
}

/** True for an RFC 9457 body as this API sends it; a proxy's HTML error page, for one, is not. */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const { type, title, status, detail, code } = value as Record<string, unknown>;
  return (
    typeof type === 'string' &&
    typeof title === 'string' &&
    typeof status === 'number' &&
    typeof detail === 'string' &&
    typeof code === 'string'
  );
}
