/** The parts of a request the cross-site check reads (Fastify's request has them). */
export interface OriginFacts {
  headers: Record<string, string | string[] | undefined>;
  /** `http` or `https`, as a trusted proxy reports it. */
  protocol: string;
  /** The `Host` the request reached, with its port. */
  host: string;
}

/**
 * Whether a request that uses a cookie as its credential was sent by one of the API's own
 * frontends: its `Origin` is exactly one of `trusted` or the origin the request reached, and it
 * carries an `X-Requested-With` header. A page of another site can send neither: the browser
 * writes `Origin` itself, and a custom header turns a cross-origin request into a CORS preflight
 * that only the listed origins pass. `SameSite=Strict` already keeps the cookie off most
 * cross-site requests; this check does not depend on the browser honouring it, and also refuses
 * sibling subdomains, which count as the same site.
 */
export function isFromOwnFrontend(request: OriginFacts, trusted: readonly string[]): boolean {
  const origin = request.headers.origin;
  const requestedWith = request.headers['x-requested-with'];
  if (typeof requestedWith !== 'string' || requestedWith.trim() === '') return false;
  if (typeof origin !== 'string') return false;
  return trusted.includes(origin) || origin === `${request.protocol}://${request.host}`;
}
