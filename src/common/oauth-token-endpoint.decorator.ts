import { RouteConfig } from '@nestjs/platform-fastify';
import { OAUTH_ROUTE_CONFIG } from './problem-details.filter.js';

/**
 * An OAuth2 token endpoint: its problems also carry RFC 6749 §5.2's `error` (`invalid_grant`,
 * `invalid_request`, `unsupported_grant_type`) beside `code`. Set as Fastify route config, so the
 * errors Fastify answers before Nest runs (a malformed or oversized body) carry it too.
 */
export const OAuthTokenEndpoint = () => RouteConfig({ [OAUTH_ROUTE_CONFIG]: true });
