/**
 * Every `code` a problem body can carry: the one list. A code is stable once released (clients
 * branch on it and translate it); `detail` stays the human message. Adding one: an entry here (its
 * status, title and, where it applies, its OAuth and bearer vocabulary), a `## code` section in
 * docs/problems.md (a unit test holds the two equal), then `npm run openapi:export`.
 */
export const PROBLEM_CODES = {
  malformed_request: { status: 400, title: 'Malformed request', oauth: 'invalid_request' },
  invalid_account_token: { status: 400, title: 'Invalid or expired link token' },
  authentication_required: { status: 401, title: 'Authentication required' },
  invalid_token: { status: 401, title: 'Invalid access token', bearer: 'invalid_token' },
  token_expired: { status: 401, title: 'Access token expired', bearer: 'invalid_token' },
  session_ended: { status: 401, title: 'Session ended', bearer: 'invalid_token' },
  invalid_credentials: { status: 401, title: 'Invalid credentials', oauth: 'invalid_grant' },
  invalid_refresh_token: { status: 401, title: 'Invalid refresh token', oauth: 'invalid_grant' },
  invalid_current_password: { status: 401, title: 'Current password incorrect' },
  invalid_mfa_code: { status: 401, title: 'Invalid authentication code', oauth: 'invalid_grant' },
  mfa_token_invalid: { status: 401, title: 'Invalid or expired MFA token', oauth: 'invalid_grant' },
  inactive_account: { status: 403, title: 'Inactive account', oauth: 'invalid_grant' },
  email_not_verified: { status: 403, title: 'Email not verified', oauth: 'invalid_grant' },
  mfa_required: { status: 403, title: 'Second factor required', oauth: 'invalid_grant' },
  mfa_locked: { status: 403, title: 'Authenticator codes locked', oauth: 'invalid_grant' },
  csrf_refused: { status: 403, title: 'Cross-site request refused', oauth: 'invalid_request' },
  role_required: { status: 403, title: 'Role required' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'Request timeout' },
  email_taken: { status: 409, title: 'Email already registered' },
  last_admin: { status: 409, title: 'Last active admin' },
  conflict: { status: 409, title: 'Conflict' },
  concurrent_update: { status: 409, title: 'Concurrent update' },
  idempotency_key_in_progress: { status: 409, title: 'Idempotency key in progress' },
  quota_exceeded: { status: 409, title: 'Quota exceeded' },
  mfa_already_enabled: { status: 409, title: 'MFA already on' },
  mfa_not_enabled: { status: 409, title: 'MFA not on' },
  mfa_setup_required: { status: 409, title: 'No MFA setup pending' },
  payload_too_large: { status: 413, title: 'Payload too large', oauth: 'invalid_request' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', oauth: 'invalid_request' },
  validation_failed: { status: 422, title: 'Validation failed', oauth: 'invalid_request' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  invalid_cursor: { status: 422, title: 'Invalid cursor' },
  rate_limited: { status: 429, title: 'Too many requests' },
  request_header_too_large: { status: 431, title: 'Request headers too large' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  not_ready: { status: 503, title: 'Not ready' },
} as const satisfies Record<string, { status: number; title: string; oauth?: OAuthError; bearer?: 'invalid_token' }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;
export const PROBLEM_CODE_LIST = Object.keys(PROBLEM_CODES) as ProblemCode[];

/** RFC 6749 §5.2 errors the token endpoint's problems carry beside `code`. */
export const OAUTH_ERRORS = ['invalid_request', 'invalid_grant', 'unsupported_grant_type'] as const;
export type OAuthError = (typeof OAUTH_ERRORS)[number];

/**
 * The naming authority of every problem `type` (RFC 4151 tag URI): fixed here once, so `type` is
 * the same in every deployment and never depends on where the API or its docs are served.
 */
export const PROBLEM_TYPE_PREFIX = 'tag:nest-auth-todos.example,2026:problems/';

export const problemType = (code: ProblemCode): string => `${PROBLEM_TYPE_PREFIX}${code}`;

export const isProblemCode = (value: unknown): value is ProblemCode => typeof value === 'string' && Object.hasOwn(PROBLEM_CODES, value);

/** The code a status gets when the code that answered it named none (Nest's and Fastify's own errors). */
const DEFAULT_CODES: Partial<Record<number, ProblemCode>> = {
  400: 'malformed_request',
  401: 'authentication_required',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  431: 'request_header_too_large',
  503: 'service_unavailable',
};

export function defaultCodeFor(status: number): ProblemCode {
  return DEFAULT_CODES[status] ?? (status >= 500 ? 'internal_error' : 'malformed_request');
}

/** An exception's response naming its code: `new UnauthorizedException(coded('invalid_credentials', BAD_CREDENTIALS))`. */
export function coded(code: ProblemCode, detail: string): { message: string; code: ProblemCode } {
  return { message: detail, code };
}

/** What each entry of a 422's `errors` says went wrong with its field. */
export const FIELD_ERROR_CODES = [
  'required',
  'unknown_field',
  'invalid_type',
  'invalid_format',
  'invalid_choice',
  'too_short',
  'too_long',
  'out_of_range',
  'weak_password',
  'invalid_value',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];
