import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 as every authenticator app reads it: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
/** 160 bits, RFC 4226's recommended secret length. */
const SECRET_BYTES = 20;
const CODE_SHAPE = /^\d{6}$/;

/** A new base32 secret of 160 bits. */
export function newTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

/** The `otpauth://totp/…` URI an authenticator app scans as a QR code. */
export function otpauthUri(secret: string, issuer: string, account: string): string {
  return generateURI({ issuer, label: account, secret, algorithm: 'sha1', digits: DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** Six digits, spaces ignored (apps show `123 456`); anything else is not a TOTP code. */
export function totpCodeShape(input: string): string | undefined {
  const code = input.replace(/\s/g, '');
  return CODE_SHAPE.test(code) ? code : undefined;
}

/**
 * The time step `code` belongs to, if it is the code of the current step or of the one before or
 * after (clock drift, typing time) and later than `afterStep` (the last step accepted); `undefined`
 * otherwise. That no other request took the step meanwhile is the caller's to settle, atomically,
 * in the database.
 */
export async function matchingStep(secret: string, code: string, now = Date.now(), afterStep?: number): Promise<number | undefined> {
  const result = await verify({
    secret,
    token: code,
    algorithm: 'sha1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(now / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
    afterTimeStep: afterStep,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
