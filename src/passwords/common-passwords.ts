import { readFileSync } from 'node:fs';

/**
 * The vendored list (assets/common-passwords.txt; its README says where it comes from), found
 * from this module's place in the build: dist/src/passwords/ sits three levels below the project root,
 * where assets/ is in a checkout and in the Docker image alike.
 */
export const COMMON_PASSWORDS_FILE = new URL('../../../assets/common-passwords.txt', import.meta.url);

/** Mark Burnett's 10,000 most common passwords, read once from disk, lower-cased and trimmed. */
function loadCommonPasswords(): Set<string> {
  const text = readFileSync(COMMON_PASSWORDS_FILE, 'utf8');
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
