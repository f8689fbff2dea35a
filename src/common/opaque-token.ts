import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** base64url of 32 bytes: anything else cannot be one of ours and is refused without a lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** 256 bits from the CSPRNG, base64url: refresh tokens, password-reset and verification tokens. */
export function newOpaqueToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function isOpaqueTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** A fast hash is enough: the token is 256 random bits, so there is nothing to guess offline. */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
