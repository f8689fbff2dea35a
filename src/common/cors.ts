import { LIST_HEADERS } from './list-page.js';

const SHARED = {
  methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
  // X-Requested-With: the refresh cookie's cross-site check wants it (see same-party.ts).
  allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'X-Requested-With'],
  exposedHeaders: [...LIST_HEADERS, 'X-Request-Id', 'WWW-Authenticate', 'Retry-After'],
  maxAge: 600,
};

type CorsCallback = (error: Error | null, options: typeof SHARED & { origin: string[]; credentials: boolean }) => void;

/**
 * CORS for the origins in `CORS_ORIGINS`, decided per request so that
 * `Access-Control-Allow-Credentials` (which lets a page send and receive the refresh cookie) is
 * answered to those origins only: `@fastify/cors` would send it to every caller.
 */
export function corsDelegator(origins: readonly string[]) {
  const listed = { ...SHARED, origin: [...origins], credentials: true };
  const other = { ...SHARED, origin: [...origins], credentials: false };
  return (request: { headers: { origin?: string } }, callback: CorsCallback): void => {
    const { origin } = request.headers;
    callback(null, origin !== undefined && origins.includes(origin) ? listed : other);
  };
}
