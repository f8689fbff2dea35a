import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Enough for Swagger UI (its own scripts and styles, inline styles, data: images) and nothing else. */
const CONTENT_SECURITY_POLICY = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    upgradeInsecureRequests: null,
  },
};

/**
 * Helmet's headers (nosniff, frame denial, no referrer, a strict CSP), HSTS only on requests
 * that arrived over TLS (directly, or as a trusted proxy says), and `Cache-Control: no-store` on
 * every API response: they carry tokens and personal data. Swagger UI's assets keep their own.
 */
export function applySecurityHeaders(app: NestFastifyApplication): void {
  // Built once: the Fastify wrapper of helmet rebuilt it (and re-parsed the CSP) on every request.
  const headers = helmet({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    hsts: false,
    crossOriginEmbedderPolicy: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => headers(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  fastify.addHook('onSend', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('cache-control') && !request.url.startsWith('/docs')) reply.header('cache-control', 'no-store');
  });
}
