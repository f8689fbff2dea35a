import { createHash } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { hashOpaqueToken, isOpaqueTokenShaped, newOpaqueToken } from '../common/opaque-token.js';
import type { ClientInfo } from '../common/client-ip.js';
import { coded } from '../common/problem-codes.js';
import { SecurityEventsService } from '../security-events/security-events.service.js';
import { User } from '../users/user.entity.js';
import { MfaChallenge } from './mfa-challenge.entity.js';
import { MfaCodesService } from './mfa-codes.service.js';
import { MfaRequiredException } from './mfa-required.exception.js';

/** How long the second step of a login may wait, and how many codes it may try. */
export const MFA_TOKEN_TTL_SECONDS = 300;
export const MFA_TOKEN_ATTEMPTS = 5;

const INVALID_MFA_TOKEN = 'Invalid or expired MFA token: log in again';
const fingerprint = (passwordHash: string) => createHash('sha256').update(passwordHash, 'utf8').digest('hex');

/** A login whose second step succeeded: the user, and the password hash its first step verified. */
export interface VerifiedLogin {
  user: User;
  verifiedHash: string;
}

/**
 * The second step of a login. The first step's right password gets an opaque `mfa_token` (256
 * random bits, stored as its SHA-256), bound to the user and the password hash it verified; a
 * code sent with it within 5 minutes and 5 attempts completes the login, which auth turns into a
 * session. This module never issues tokens itself.
 */
@Injectable()
export class MfaLoginService {
  constructor(
    @InjectRepository(MfaChallenge) private readonly challenges: Repository<MfaChallenge>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly codes: MfaCodesService,
    private readonly securityEvents: SecurityEventsService,
  ) {}

  /** The `mfa_required` answer to a right password on an account with MFA on (`user` read with its hash). */
  async challenge(user: User): Promise<MfaRequiredException> {
    const token = newOpaqueToken();
    await this.challenges
      .createQueryBuilder()
      .insert()
      .values({
        userId: user.id,
        tokenHash: hashOpaqueToken(token),
        passwordFingerprint: fingerprint(user.hashedPassword),
        expiresAt: () => `now() + make_interval(secs => ${MFA_TOKEN_TTL_SECONDS})`,
      })
      .execute();
    this.securityEvents.record('mfa_challenge_issued', { userId: user.id });
    return new MfaRequiredException(token);
  }

  /**
   * Spends one attempt of `token`, then checks `code` (counted against the account like a
   * password); a right code spends the token. A token unknown, expired, spent, out of attempts,
   * or whose user's password changed since is refused alike.
   */
  async verify(token: string, code: string, client: ClientInfo): Promise<VerifiedLogin> {
    if (!isOpaqueTokenShaped(token)) return this.refuse('malformed');
    const claimed = await this.challenges
      .createQueryBuilder()
      .update()
      .set({ attempts: () => 'attempts + 1' })
      .where('token_hash = :hash AND used_at IS NULL AND expires_at > now() AND attempts < :max', {
        hash: hashOpaqueToken(token),
        max: MFA_TOKEN_ATTEMPTS,
      })
      .returning('id, user_id, password_fingerprint')
      .execute();
    const [challenge] = claimed.raw as { id: string; user_id: number; password_fingerprint: string }[];
    if (!challenge) return this.refuse('unknown_expired_or_spent');
    const user = await this.users
      .createQueryBuilder('user')
      .addSelect('user.hashedPassword')
      .where('user.id = :id', { id: challenge.user_id })
      .getOne();
    if (!user || fingerprint(user.hashedPassword) !== challenge.password_fingerprint) return this.refuse('password_changed');
    if (!user.mfaEnabled) return this.refuse('mfa_turned_off');
    await this.codes.verify(user, code, client);
    // A parallel verify with another right code may have spent it first.
    const spent = await this.challenges
      .createQueryBuilder()
      .update()
      .set({ usedAt: () => 'now()' })
      .where('id = :id AND used_at IS NULL', { id: challenge.id })
      .execute();
    if (spent.affected !== 1) return this.refuse('spent_in_parallel');
    return { user, verifiedHash: user.hashedPassword };
  }

  private refuse(reason: string): never {
    this.securityEvents.record('mfa_token_refused', { reason });
    throw new UnauthorizedException(coded('mfa_token_invalid', INVALID_MFA_TOKEN));
  }
}
