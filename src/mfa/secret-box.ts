import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The layout's version, first byte of every sealed value: a later key or cipher gets another. */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * AES-256-GCM through `node:crypto`: a fresh random 96-bit IV per value, and `context` (the
 * owner's id) authenticated with it, so a sealed secret copied into another user's row does not
 * open. The result is `version | iv | tag | ciphertext`.
 */
export function seal(key: Buffer, plaintext: string, context: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), ciphertext]);
}

/** The plaintext of `sealed`; throws when it was altered, sealed for another context, or with another key. */
export function open(key: Buffer, sealed: Buffer, context: string): string {
  if (sealed.length <= HEADER_BYTES || sealed[0] !== VERSION) throw new Error('Not a sealed value of a known version');
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
}
