import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Mark Burnett's list of the 10,000 most common passwords (xato.net), as shipped by the
 * `common-password` npm package. Read once from disk; no network is involved.
 */
function loadCommonPasswords(): Set<string> {
  const packageDir = dirname(createRequire(import.meta.url).resolve('common-password/package.json'));
  const text = readFileSync(join(packageDir, 'lib', '10k most common.txt'), 'utf8');
  return new Set(
    text
      .split(/\r?\n/)
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
}

let cached: Set<string> | undefined;

export function commonPasswords(): Set<string> {
  cached ??= loadCommonPasswords();
  return cached;
}
