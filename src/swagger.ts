import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_OPERATION_EXTENSION } from './auth/decorators/public.decorator.js';

const DESCRIPTION = `Sign up, log in with the OAuth2 password flow, and manage your own todos.

Click **Authorize**, enter your email as *username* and your password: Swagger UI fetches an
access token from \`/auth/login\` and sends it with every call. Errors are RFC 9457
\`application/problem+json\`.`;

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Auth & Todos API')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .addTag('auth', 'Sign up and log in')
    .addTag('users', 'The signed-in user')
    .addTag('sessions', 'Your signed-in devices; logging out')
    .addTag('todos', 'Your own todos')
    .addTag('admin', 'User management, for admins')
    .addTag('health', 'Liveness and readiness')
    .addOAuth2(
      { type: 'oauth2', flows: { password: { tokenUrl: '/auth/login', refreshUrl: '/auth/login', scopes: {} } } },
      'oauth2',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('oauth2')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Every route is protected unless `@Public()`; mirror that with an empty requirement list.
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      if (operation && typeof operation === 'object' && PUBLIC_OPERATION_EXTENSION in operation) {
        delete (operation as Record<string, unknown>)[PUBLIC_OPERATION_EXTENSION];
        (operation as { security?: unknown[] }).security = [];
      }
    }
  }
  return document;
}

export function setupSwagger(app: INestApplication, version: string): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, version), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Auth & Todos API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
