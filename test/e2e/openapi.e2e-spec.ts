import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { FIELD_ERROR_CODES, PROBLEM_CODE_LIST, PROBLEM_CODES, type ProblemCode } from '../../src/common/problem-codes.js';
import { createOpenApiDocument } from '../../src/swagger.js';
import { OFFSET_MAX } from '../../src/common/list-page.js';
import { startTestApp, type TestApp } from '../support/app.js';

interface Schema {
  $ref?: string;
  type?: string;
  minLength?: number;
  maximum?: number;
  required?: string[];
  enum?: string[];
  properties?: Record<string, Schema & { example?: unknown }>;
  example?: unknown;
}
interface Response {
  description: string;
  headers?: Record<string, { schema: Schema; description?: string }>;
  content?: Record<string, { schema?: Schema; example?: { status?: number; code?: string } }>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  parameters?: { name: string; in: string; schema: Schema; description?: string }[];
  responses: Record<string, Response>;
}
interface Document {
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, unknown>> };
}

const committedPath = new URL('../../../openapi.json', import.meta.url);
/** Operations whose success body is deliberately undescribed: none. */
const SUCCESS_WITHOUT_SCHEMA = new Set<string>();

const codesOf = (status: number) => PROBLEM_CODE_LIST.filter((code) => PROBLEM_CODES[code].status === status);

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })),
    );
  const resolve = (schema: Schema): Schema =>
    schema.$ref ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;

  before(async () => {
    t = await startTestApp();
    const res = await t.http.get('/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body as Document;
  });
  after(() => t.close());

  it('is the committed openapi.json, and what `npm run openapi:export` builds without a database, but for its server', async () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as Document;
    const servers = (d: Document) => (d as unknown as { servers: { url: string }[] }).servers.map((s) => s.url);
    assert.deepEqual(servers(committed), ['{scheme}://{host}'], 'a local server by default, through its variables');
    assert.match(servers(doc).join(), /^http:\/\/127\.0\.0\.1:\d+$/, 'the served document names the server it came from');
    const withoutServers = (d: Document) => ({ ...d, servers: undefined });
    assert.deepEqual(
      withoutServers(doc),
      withoutServers(committed),
      'openapi.json is stale: run `npm run openapi:export` and review the diff',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(await createOpenApiDocument())), committed);
  });

  it('names API_URL as its server when set, and refuses an API_URL that is not an absolute http(s) URL', async () => {
    const pinned = await startTestApp({ API_URL: 'https://api.example.com/v1/' });
    try {
      const served = (await pinned.http.get('/openapi.json').set('X-Forwarded-Host', 'attacker.example')).body as {
        servers: { url: string }[];
      };
      assert.deepEqual(
        served.servers.map((s) => s.url),
        ['https://api.example.com/v1'],
      );
    } finally {
      await pinned.close();
    }
    for (const bad of ['api.example.com', 'ftp://api.example.com', 'https://api.example.com/?x=1']) {
      await assert.rejects(startTestApp({ API_URL: bad }), /API_URL must be/, bad);
    }
  });

  it('names every operation <tag>_<action>, once, with one declared tag and a summary', () => {
    const declared = new Set(doc.tags.map((tag) => tag.name));
    const seen = new Set<string>();
    for (const { at, op } of operations()) {
      assert.equal(op.tags?.length, 1, `${at} has one tag`);
      const [tag] = op.tags;
      assert.ok(declared.has(tag), `${at}: tag ${tag} is declared`);
      assert.match(op.operationId ?? '', new RegExp(`^${tag}_[a-z]+(_[a-z]+)*$`), `${at}: operationId`);
      assert.ok(!seen.has(op.operationId!), `${op.operationId} is unique`);
      seen.add(op.operationId!);
      assert.ok(op.summary && op.summary.length > 5, `${at} has a summary`);
    }
    for (const id of ['auth_login', 'auth_refresh', 'users_me', 'todos_list', 'todos_create', 'admin_users_list']) {
      assert.ok(seen.has(id), `${id} exists`);
    }
  });

  it('gives every operation a success response with a schema, and every error the shared Problem schema (readiness: a Problem with its checks)', () => {
    for (const { at, op } of operations()) {
      const success = Object.keys(op.responses).filter((code) => code.startsWith('2'));
      assert.equal(success.length, 1, `${at}: one success response`);
      const [code] = success as [string];
      const { content } = op.responses[code];
      const schema = content?.['application/json']?.schema;
      if (SUCCESS_WITHOUT_SCHEMA.has(op.operationId!)) assert.equal(schema, undefined, `${at}: drop it from SUCCESS_WITHOUT_SCHEMA`);
      else if (code === '200' || code === '201' || content) assert.ok(schema, `${at}: a schema for its ${code} body`);
      if (code === '204') assert.equal(content, undefined, `${at}: 204 has no body`);
      for (const [code, response] of Object.entries(op.responses).filter(([c]) => Number(c) >= 400)) {
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${at} ${code}: problem+json only`);
        const media = response.content!['application/problem+json'];
        // A failed readiness check also lists its checks: a Problem with one more member.
        // The password grant's 403 may carry the mfa_token of the second step: a Problem with that member.
        const expected =
          op.operationId === 'health_ready' && code === '503'
            ? 'ReadinessProblem'
            : op.operationId === 'auth_login' && code === '403'
              ? 'MfaRequiredProblem'
              : 'Problem';
        // ... whose code is narrowed to the codes of its status, so a generated client narrows it too.
        const [base, narrowed] = (media.schema as { allOf: [{ $ref: string }, { properties: { code: { enum: string[] } } }] }).allOf;
        assert.equal(base.$ref, `#/components/schemas/${expected}`, `${at} ${code}: the ${expected} schema`);
        const codes = narrowed.properties.code.enum;
        assert.ok(
          codes.length > 0 && codes.every((c) => codesOf(Number(code)).includes(c as ProblemCode)),
          `${at} ${code}: codes of that status`,
        );
        assert.equal(media.example?.status, Number(code), `${at} ${code}: an example with its status`);
        const exampleCode = media.example?.code as keyof typeof PROBLEM_CODES;
        assert.equal(PROBLEM_CODES[exampleCode]?.status, Number(code), `${at} ${code}: an example with one of its codes`);
      }
      assert.ok(!Object.keys(op.responses).some((code) => code.startsWith('5') && code !== '503'), `${at}: no 5xx but 503`);
      assert.ok(op.responses['400'], `${at}: 400, which a malformed URL gets anywhere`);
    }
    const problem = doc.components.schemas.Problem;
    assert.deepEqual([...(problem.required ?? [])].sort(), ['code', 'detail', 'status', 'title', 'type']);
    assert.deepEqual(doc.components.schemas.ProblemCode.enum, PROBLEM_CODE_LIST);
    assert.deepEqual(doc.components.schemas.FieldErrorCode.enum, [...FIELD_ERROR_CODES]);
    assert.deepEqual(doc.components.schemas.FieldError.required, ['field', 'message', 'code']);
    assert.equal(problem.properties?.checks, undefined, 'readiness checks stay out of the general Problem');
    const readiness = doc.components.schemas.ReadinessProblem;
    assert.deepEqual(Object.keys(readiness.properties ?? {}), [...Object.keys(problem.properties ?? {}), 'checks']);
    const mfaRequired = doc.components.schemas.MfaRequiredProblem;
    assert.deepEqual(Object.keys(mfaRequired.properties ?? {}), [...Object.keys(problem.properties ?? {}), 'mfa_token']);
    assert.equal(problem.properties?.mfa_token, undefined, 'the mfa_token stays out of the general Problem');
  });

  it('documents authentication errors on protected operations and none on public ones', () => {
    // The routes that also take the refresh cookie list it beside their other ways in.
    const COOKIE_ROUTES: Record<string, unknown[]> = {
      'POST /auth/refresh': [{}, { refresh_cookie: [] }],
      'POST /auth/logout': [{ oauth2: [] }, { bearer: [] }, { refresh_cookie: [] }],
    };
    for (const { at, op } of operations()) {
      if (at in COOKIE_ROUTES) {
        assert.deepEqual(op.security, COOKIE_ROUTES[at], at);
      } else if (op.security === undefined) {
        assert.ok(op.responses['401']?.headers?.['WWW-Authenticate'], `${at}: 401 with WWW-Authenticate`);
        assert.ok(op.responses['403'], `${at}: 403 for inactive accounts`);
      } else {
        assert.deepEqual(op.security, [], `${at}: public`);
      }
    }
    assert.ok(doc.paths['/auth/logout'].post.responses['401']?.headers?.['WWW-Authenticate']);
    assert.deepEqual(doc.components.securitySchemes.refresh_cookie, {
      ...doc.components.securitySchemes.refresh_cookie,
      type: 'apiKey',
      in: 'cookie',
      name: '__Secure-refresh_token',
    });
    assert.deepEqual(doc.paths['/users/me'].get.security, undefined);
    const password = doc.components.securitySchemes.oauth2.flows as { password: { tokenUrl: string; refreshUrl: string } };
    assert.equal(password.password.tokenUrl, '/auth/login');
    assert.equal(password.password.refreshUrl, '/auth/login');
    assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('documents body errors where a body is taken, and 415 where none is', () => {
    for (const { at, op } of operations()) {
      if (op.requestBody) {
        for (const code of ['400', '413', '415', '422']) assert.ok(op.responses[code], `${at}: ${code}`);
        for (const [type, { schema }] of Object.entries(op.requestBody.content)) {
          const body = resolve(schema);
          for (const field of body.required ?? []) {
            assert.notEqual(body.properties?.[field]?.example, undefined, `${at} ${type}: an example for ${field}`);
          }
        }
      } else {
        assert.equal(op.responses['415']?.content?.['application/problem+json'].example?.status, 415, `${at}: 415 for a body`);
      }
    }
  });

  it('closes every request body to unknown members, as the server refuses them, and marks emails as such', () => {
    const schemaOf = (ref: string) => doc.components.schemas[ref.split('/').pop()!] as unknown as Record<string, unknown>;
    let bodies = 0;
    for (const { at, op } of operations()) {
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        const schema = media.schema as { $ref?: string; oneOf?: { $ref: string }[] };
        for (const { $ref } of schema.oneOf ?? [{ $ref: schema.$ref! }]) {
          assert.equal(schemaOf($ref).additionalProperties, false, `${at}: ${$ref}`);
          bodies++;
        }
      }
    }
    assert.ok(bodies >= 10, `request bodies checked: ${bodies}`);
    for (const name of ['RegisterDto', 'PasswordResetRequestDto']) {
      const { properties } = schemaOf(name) as { properties: { email: { format?: string } } };
      assert.equal(properties.email.format, 'email', name);
    }
  });

  it('describes every operation and every parameter', () => {
    for (const { at, op } of operations()) {
      assert.ok((op.description ?? '').length > 20, `${at}: a description`);
      for (const parameter of op.parameters ?? []) assert.ok(parameter.description, `${at} ${parameter.name}: a description`);
    }
  });

  it("types every number as an integer, ids with their resource's range", () => {
    const numbers: string[] = [];
    const ids: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${at}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'number') numbers.push(at);
      for (const [key, value] of Object.entries(schema)) {
        if ((key === 'id' || key.endsWith('_id')) && value && typeof value === 'object' && 'type' in value) ids.push(`${at}.${key}`);
        visit(value, `${at}.${key}`);
      }
    };
    visit(doc, '');
    assert.deepEqual(numbers, []);
    const idParameters = operations().flatMap(({ at, op }) =>
      (op.parameters ?? []).filter((p) => p.name === 'id').map((p) => ({ at, schema: p.schema })),
    );
    assert.ok(idParameters.length >= 7, `id parameters: ${idParameters.length}`);
    // Users' ids are `integer` identities; todos' and sessions' are `bigint` ones, capped at 2^53 − 1.
    const int = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
    const bigint = { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 };
    const rangeOf = (at: string) => (/ \/(todos|auth\/sessions)\//.test(at) ? bigint : int);
    for (const { at, schema } of idParameters) assert.deepEqual(schema, rangeOf(at), at);
    const property = (name: string, field: string) => {
      const { type, minimum, maximum } = doc.components.schemas[name].properties![field] as Schema & { minimum?: number };
      return { type, minimum, maximum };
    };
    assert.deepEqual(property('TodoOut', 'id'), bigint);
    assert.deepEqual(property('SessionOut', 'id'), bigint);
    assert.deepEqual(property('TodoOut', 'owner_id'), int);
    assert.deepEqual(property('UserOut', 'id'), int);
    assert.ok(ids.length >= 4, `id properties: ${ids.join(', ')}`);
  });

  it('describes the token endpoint as two grants told apart by grant_type, each with its required members', () => {
    type Grant = { properties: { grant_type: { enum: string[] } }; required: string[] };
    const body = doc.paths['/auth/login'].post.requestBody!.content['application/x-www-form-urlencoded'].schema as unknown as {
      oneOf: { $ref: string }[];
      discriminator: { propertyName: string };
    };
    assert.equal(body.discriminator.propertyName, 'grant_type');
    const grants = Object.fromEntries(
      body.oneOf.map(({ $ref }) => {
        const schema = doc.components.schemas[$ref.split('/').pop()!] as unknown as Grant;
        return [schema.properties.grant_type.enum.join(), [...schema.required].sort()];
      }),
    );
    assert.deepEqual(grants, { password: ['grant_type', 'password', 'username'], refresh_token: ['grant_type', 'refresh_token'] });
  });

  it("narrows the token endpoint's 401 and 403 to the codes it answers, with OAuth's error in the example", () => {
    const codesAt = (path: string, status: string) => {
      const media = doc.paths[path].post.responses[status].content!['application/problem+json'];
      const { allOf } = media.schema as { allOf: [unknown, { properties: { code: { enum: string[] } } }] };
      return [allOf[1].properties.code.enum, (media.example as { error?: string }).error];
    };
    assert.deepEqual(codesAt('/auth/login', '401'), [['invalid_credentials', 'invalid_refresh_token'], 'invalid_grant']);
    assert.deepEqual(codesAt('/auth/login', '403'), [
      ['mfa_required', 'inactive_account', 'email_not_verified', 'csrf_refused'],
      'invalid_grant',
    ]);
    assert.deepEqual(codesAt('/auth/refresh', '401'), [['invalid_refresh_token'], 'invalid_grant']);
    assert.deepEqual(codesAt('/auth/mfa/verify', '401'), [
      ['invalid_mfa_code', 'mfa_token_invalid', 'invalid_credentials'],
      'invalid_grant',
    ]);
    assert.deepEqual(codesAt('/auth/mfa/verify', '403'), [['mfa_locked', 'inactive_account', 'csrf_refused'], 'invalid_grant']);
    const mfaRequired = doc.paths['/auth/login'].post.responses['403'];
    assert.equal((mfaRequired.content!['application/problem+json'].example as { mfa_token?: string }).mfa_token?.length, 43);
    assert.equal(mfaRequired.headers?.['Cache-Control'].schema.example, 'no-store');
    assert.deepEqual(codesAt('/auth/refresh', '403'), [['csrf_refused'], 'invalid_request']);
  });

  it('documents the list headers, cursor and search bounds on lists, and Retry-After on rate-limited operations', () => {
    for (const path of ['/todos', '/admin/users']) {
      const { headers } = doc.paths[path].get.responses['200'];
      assert.equal(headers?.['X-Total-Count'].schema.type, 'integer', path);
      assert.equal(headers?.['X-Total-Count-Exceeds'].schema.type, 'integer', path);
      assert.match(headers?.['X-Total-Count'].description ?? '', /X-Total-Count-Exceeds/, path);
      for (const header of ['Link', 'X-Next-Cursor']) assert.match(headers?.[header].description ?? '', /cursor/, `${path} ${header}`);
      const parameters = Object.fromEntries(doc.paths[path].get.parameters!.map((p) => [p.name, p]));
      assert.equal(parameters.cursor?.schema?.type, 'string', path);
      assert.equal(parameters.q?.schema?.minLength, 3, path);
      assert.equal(parameters.offset?.schema?.maximum, OFFSET_MAX, path);
      assert.match(doc.paths[path].get.description ?? '', /rel="next"/, path);
    }
    for (const path of ['/auth/login', '/auth/register', '/auth/refresh']) {
      assert.equal(doc.paths[path].post.responses['429'].headers?.['Retry-After'].schema.type, 'integer', path);
    }
  });
});

describe('the breaking-change check (npm run openapi:breaking)', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'openapi-breaking-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A small document (openapi-diff takes seconds on the whole one) released as 0.1.0, with or without its DELETE. */
  const documentWith = (methods: string[]) => ({
    openapi: '3.0.0',
    info: { title: 'T', version: '0.1.0' },
    paths: {
      '/todos/{id}': Object.fromEntries(
        methods.map((method) => [
          method,
          {
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
            responses: { 204: { description: 'done' } },
          },
        ]),
      ),
    },
  });

  function check(current: object, version: string, changelog: string) {
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const args = [
      ['--released', file('released.json', JSON.stringify(documentWith(['get', 'delete'])))],
      ['--current', file('current.json', JSON.stringify(current))],
      ['--package', file('package.json', JSON.stringify({ version }))],
      ['--changelog', file('CHANGELOG.md', changelog)],
    ].flat();
    return spawnSync(process.execPath, ['scripts/openapi-breaking.mjs', ...args], { cwd: root, encoding: 'utf8' });
  }

  it('passes an unchanged document, and fails a removed operation unless the version moves on and the changelog says so', () => {
    const unchanged = check(documentWith(['get', 'delete']), '0.1.0', '# Changelog\n');
    assert.equal(unchanged.status, 0, unchanged.stdout + unchanged.stderr);
    const unannounced = check(documentWith(['get']), '0.1.0', '# Changelog\n');
    assert.equal(unannounced.status, 1, unannounced.stdout + unannounced.stderr);
    assert.match(unannounced.stderr, /must move past 0\.1\.0/);
    assert.match(unannounced.stderr, /CHANGELOG\.md needs a "## \[0\.1\.0\]" section/);
    const released = check(documentWith(['get']), '0.2.0', '# Changelog\n\n## [0.2.0]\n\n- DELETE /todos/{id} is gone\n');
    assert.equal(released.status, 0, released.stdout + released.stderr);
  });
});
