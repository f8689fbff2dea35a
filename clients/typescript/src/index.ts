import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

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

/** `X-Total-Count` of a list response: how many items match, ignoring `limit` and `offset`. */
export function totalCount(response: Response): number {
  const value = response.headers.get('X-Total-Count');
  if (value === null || !/^\d+$/.test(value)) throw new Error(`No usable X-Total-Count header: ${value}`);
  return Number(value);
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
