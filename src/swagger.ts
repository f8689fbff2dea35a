import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { PUBLIC_OPERATION_EXTENSION } from './auth/decorators/public.decorator.js';
import { problemResponse } from './common/api-problems.decorator.js';
import { REFRESH_COOKIE } from './sessions/refresh-cookie.js';
import { REFRESH_COOKIE_OPERATION_EXTENSION } from './sessions/refresh-token-cookie.decorator.js';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;

const TITLE = 'Auth & Todos API';

const DESCRIPTION = `Sign up, log in with the OAuth2 password flow, and manage your own todos.

Click **Authorize**, enter your email as *username* and your password: Swagger UI fetches an
access token from \`/auth/login\` and sends it with every call. Errors are RFC 9457
\`application/problem+json\`.

An account with two-step sign-in (tag *mfa*) answers the password with 403 \`mfa_required\` and an
\`mfa_token\`, which Authorize cannot complete: send it with the authenticator's code to
**POST /auth/mfa/verify**, then paste the \`access_token\` under *bearer* in Authorize. To turn it
on, **POST /auth/mfa/totp/setup** answers an \`otpauth_uri\` that a frontend shows as a QR code
(docs/mfa.md shows how, with a QR library in the browser), then **POST /auth/mfa/totp/confirm**.`;

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * Request bodies take no members beyond their schema's: the validation pipe refuses unknown ones
 * with a 422 (so `role` cannot be mass-assigned), and the document says so to generators and fuzzers.
 */
function closeRequestBodies(document: OpenAPIObject, operation: OperationObject): void {
  const body = operation.requestBody;
  if (!body || !('content' in body)) return;
  for (const { schema } of Object.values(body.content)) {
    const refs = schema && '$ref' in schema ? [schema] : ((schema?.oneOf ?? []) as { $ref?: string }[]);
    for (const { $ref } of refs) {
      const target = $ref && document.components?.schemas?.[$ref.split('/').pop()!];
      if (target && !('$ref' in target)) target.additionalProperties = false;
    }
  }
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(TITLE)
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Absolute, as generated clients need: a local server by default, its parts variables a client
    // sets for a deployment; the served document names its own server instead.
    .addServer('{scheme}://{host}', 'Where the API runs (the served /openapi.json names the server it comes from)', {
      scheme: { enum: ['http', 'https'], default: 'http' },
      host: { default: 'localhost:3000', description: 'Host and port of the deployment' },
    })
    .addTag('auth', 'Sign up and log in')
    .addTag('users', 'The signed-in user')
    .addTag('mfa', 'Two-step sign-in: an authenticator app (TOTP) and recovery codes')
    .addTag('sessions', 'Your signed-in devices; logging out')
    .addTag('todos', 'Your own todos')
    .addTag('admin', 'User management, for admins')
    .addTag('health', 'Liveness and readiness')
    .addOAuth2({ type: 'oauth2', flows: { password: { tokenUrl: '/auth/login', refreshUrl: '/auth/login', scopes: {} } } }, 'oauth2')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addCookieAuth(
      REFRESH_COOKIE,
      {
        type: 'apiKey',
        in: 'cookie',
        name: REFRESH_COOKIE,
        description:
          "The refresh token as an `HttpOnly`, `Secure`, `SameSite=Strict`, `Path=/auth` cookie, set by a token answer to `refresh_token_transport=cookie`. A request relying on it needs an `Origin` listed in `CORS_ORIGINS` (or the API's own) and an `X-Requested-With` header, else 403 `csrf_refused`.",
      },
      'refresh_cookie',
    )
    .addSecurityRequirements('oauth2')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as OperationObject[]) {
      if (!operation || typeof operation !== 'object' || !operation.responses) continue;
      // Every route is protected unless `@Public()`; mirror that with an empty requirement list.
      const isPublic = PUBLIC_OPERATION_EXTENSION in operation;
      if (isPublic) {
        delete (operation as Record<string, unknown>)[PUBLIC_OPERATION_EXTENSION];
        operation.security = [];
      }
      // A route that also takes the refresh cookie as its credential: the cookie is one more way in.
      if (REFRESH_COOKIE_OPERATION_EXTENSION in operation) {
        delete (operation as Record<string, unknown>)[REFRESH_COOKIE_OPERATION_EXTENSION];
        operation.security = [...(isPublic ? [{}] : (document.security ?? [])), { refresh_cookie: [] }];
      }
      // The global ConsumesGuard refuses any body sent to an operation that takes none.
      if (!operation.requestBody) {
        operation.responses['415'] = {
          ...problemResponse(415, 'This operation takes no body'),
          description: 'A body was sent; this operation takes none',
        };
      }
      // Any URL can be malformed (`/todos/%zz`): Fastify refuses it with a 400 before routing.
      operation.responses['400'] ??= { ...problemResponse(400, 'Malformed URL'), description: 'A URL that is not valid percent-encoding' };
      closeRequestBodies(document, operation);
      operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return document;
}

/**
 * The document without a server, a database or configuration: Nest's preview mode scans the
 * modules and controllers but constructs no provider. The scan is the same as the running app's,
 * so the result equals what `/openapi.json` serves (a test holds the two together).
 */
export async function createOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/**
 * The server a served document names: `API_URL` when set, else the origin the request reached
 * (scheme and host as the trusted proxies report them), so Swagger UI and a client generated
 * from a deployment's own /openapi.json call that deployment.
 */
function serverFor(request: FastifyRequest, apiUrl: string | undefined): string {
  return apiUrl ?? `${request.protocol}://${request.host}`;
}

export function setupSwagger(app: INestApplication, apiUrl: string | undefined): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    // Nest hands Swagger's routes Fastify's request.
    patchDocumentOnRequest: (request, _reply, document) => ({
      ...document,
      servers: [{ url: serverFor(request as FastifyRequest, apiUrl), description: 'This server' }],
    }),
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: TITLE,
    // Deep links off: Swagger UI takes the `_` of every `<tag>_<action>` operationId in a link for
    // escaped whitespace and logs a deprecation error on each page load that follows one.
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, deepLinking: false },
  });
}
