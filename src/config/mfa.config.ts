import { hkdfSync } from 'node:crypto';
import { registerAs, type ConfigType } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { resolveSecret } from './jwt-secret.js';
import { readArea, type Runtime } from './variables.js';

/** The second factor's key: it encrypts TOTP secrets at rest and keys the recovery codes' hashes. */
export class MfaVariables {
  @IsOptional()
  @IsString()
  MFA_ENCRYPTION_KEY?: string;
}

export function toMfaSettings(v: MfaVariables) {
  return { encryptionKey: v.MFA_ENCRYPTION_KEY };
}

/** 32 bytes for one purpose, from the operator's key (HKDF-SHA256): a key never serves two. */
const derive = (secret: string, purpose: string) => Buffer.from(hkdfSync('sha256', secret, '', `nest-auth-todos mfa ${purpose}`, 32));

/**
 * The keys derived from `MFA_ENCRYPTION_KEY` (checked for strength; required in production, else
 * generated once into `DATA_DIR/mfa-encryption-key`): AES-256-GCM for the TOTP secrets, HMAC-SHA256
 * for the recovery codes. Every instance of a deployment needs the same key; losing it loses
 * every enrolled authenticator (an admin then resets each user's MFA).
 */
export function loadMfaKeys(settings: ReturnType<typeof toMfaSettings>, runtime: Runtime) {
  const secret = resolveSecret('MFA_ENCRYPTION_KEY', 'mfa-encryption-key', settings.encryptionKey, runtime);
  return { secretKey: derive(secret, 'totp-secret'), recoveryCodeKey: derive(secret, 'recovery-code') };
}

export const mfaConfig = registerAs('mfa', () => {
  const [variables, runtime] = readArea(MfaVariables);
  return loadMfaKeys(toMfaSettings(variables), runtime);
});
export type MfaConfig = ConfigType<typeof mfaConfig>;
