import type { FastifyInstance, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';

const tables = new WeakMap<FastifyInstance, AllowedMethods>();

/**
 * The methods each path serves, learnt from Fastify's `onRoute` hook as routes are registered, so
 * that a request which matched no route can be told 405 with `Allow` when its path is served
 * under other methods (and 404 when it is not). Matching is find-my-way's, Fastify's own router,
 * with the server's settings. Catch-all routes (a CORS preflight's `OPTIONS *`, static files)
 * name no path of the API and are left out.
 */
class AllowedMethods {
  private readonly router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  private readonly methods = new Set<string>();

  constructor(fastify: FastifyInstance) {
    const { ignoreTrailingSlash, ignoreDuplicateSlashes, caseSensitive } = fastify.initialConfig;
    this.router = FindMyWay({ ignoreTrailingSlash, ignoreDuplicateSlashes, caseSensitive });
  }

  add(methods: string | string[], url: string): void {
    if (url.includes('*')) return;
    for (const method of [methods].flat()) {
      if (this.router.hasRoute(method as FindMyWay.HTTPMethod, url)) continue;
      this.router.on(method as FindMyWay.HTTPMethod, url, () => undefined);
      this.methods.add(method);
    }
  }

  /** The methods served at `path`, sorted; empty when no route has that path. */
  at(path: string): string[] {
    return [...this.methods].filter((method) => this.router.find(method as FindMyWay.HTTPMethod, path) !== null).sort();
  }
}

/** Starts learning `fastify`'s routes: call before any is registered. */
export function learnAllowedMethods(fastify: FastifyInstance): void {
  const table = new AllowedMethods(fastify);
  tables.set(fastify, table);
  fastify.addHook('onRoute', (route) => table.add(route.method, route.url ?? route.path));
}

/** For a request that matched no route: the methods its path is served with (empty for an unknown path). */
export function allowedMethodsFor(request: FastifyRequest): string[] {
  if (!request.is404) return [];
  return tables.get(request.server)?.at(request.url.split('?', 1)[0]) ?? [];
}
