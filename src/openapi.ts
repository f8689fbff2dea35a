import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createOpenApiDocument } from './swagger.js';

/** Writes the OpenAPI document (the one `/openapi.json` serves) to a file; no database needed. */
const target = resolve(process.argv[2] ?? 'openapi.json');
try {
  writeFileSync(target, `${JSON.stringify(await createOpenApiDocument(), null, 2)}\n`);
  console.log(`OpenAPI document written to ${target}`);
} catch (error) {
  console.error(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
