import { type KeyObject, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import type { SessionTokens } from '../sessions/sessions.service.js';
import { ACCESS_TOKEN_TYPE, tokenHeader, verificationKeyId } from './access-token.js';
import type { TokenDto } from './dto/token.dto.js';

/** The header segments `verificationKeyFor` remembers: a few per verification key are legitimate. */
const KNOWN_HEADERS_MAX = 64;

/**
 * Access tokens: `JwtService` signs them with the options `jwtModuleOptions` gives it, and the
 * JWT strategy verifies them with the key chosen here.
 */
@Injectable()
export class TokenService {
  /**
   * Header segments already read, and the key each chose. Every token this service signs with one
   * key has the same header, so most requests skip decoding it; the keys are fixed for the
   * process's life, so an entry never goes stale. Only accepted headers are kept.
   */
  private readonly keyByHeader = new Map<string, KeyObject>();

  constructor(
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /** An access token for the session, paired with the session's newest refresh token. */
  issue({ userId, sessionId, refreshToken }: SessionTokens): TokenDto {
    return {
      access_token: this.jwt.sign({ sid: sessionId }, { subject: String(userId), jwtid: randomUUID() }),
      token_type: 'bearer',
      expires_in: this.config.accessTokenTtlSeconds,
      refresh_token: refreshToken,
    };
  }

  /**
   * The key that may verify a token, chosen from its unverified header: `typ` must be `at+jwt`,
   * `alg` the configured one, and `kid` a known key's (none in HS256 mode). Nothing a token says
   * about keys (`jku`, `x5u`, `jwk`, an odd `kid`) is fetched or trusted; `undefined` refuses
   * the token before any signature check.
   */
  verificationKeyFor(token: string): KeyObject | undefined {
    const dot = token.indexOf('.');
    const segment = dot === -1 ? token : token.slice(0, dot);
    const known = this.keyByHeader.get(segment);
    if (known) return known;
    const header = tokenHeader(token);
    if (header.typ !== ACCESS_TOKEN_TYPE || header.alg !== this.config.keys.algorithm) return undefined;
    const id = verificationKeyId(this.config.keys, header);
    const key = id === undefined ? undefined : this.config.keys.verificationKeys.get(id);
    if (key) {
      // Crafted headers that name a key can vary without end: a full map starts again.
      if (this.keyByHeader.size >= KNOWN_HEADERS_MAX) this.keyByHeader.clear();
      this.keyByHeader.set(segment, key);
    }
    return key;
  }
}
