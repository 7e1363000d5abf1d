import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';
import { AppConfig } from '../config/app-config.js';
import type { AuthUser } from './auth-user.js';
import { InvalidAccessTokenError, type TokenFailure } from './auth.errors.js';
import { AuthRepository } from './auth.repository.js';
import { VerifiedTokens } from './verified-tokens.js';

export const ACCESS_TOKEN_ALGORITHM = 'HS256';

/** Claims every access token must carry; `iss`/`aud` are checked by the JWT library itself. */
const accessTokenClaims = z.object({
  sub: z.uuid(),
  jti: z.uuid(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

/** Seconds a token's `iat` may lie ahead of this server's clock (issuers' clocks drift a little). */
export const CLOCK_SKEW_SECONDS = 60;

/** What jsonwebtoken answers with `complete: true`: the header too, so `crit` can be checked. */
const completeToken = z.object({ header: z.record(z.string(), z.unknown()), payload: z.unknown() });

// RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export type BearerExtraction = { token: string } | { failure: 'missing' | 'malformedHeader' };

/** Reads the token out of an Authorization header value, telling a missing header from a malformed one. */
export function bearerTokenFrom(header: string | string[] | undefined): BearerExtraction {
  if (header === undefined || header === '') return { failure: 'missing' };
  const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
  return match?.[1] ? { token: match[1] } : { failure: 'malformedHeader' };
}

/**
 * Verifies access tokens with the one set of rules HTTP and WebSocket share: HS256 pinned, issuer,
 * audience, expiry, required claims, not revoked, user still exists. Failures are
 * InvalidAccessTokenError whose message is the 401 detail.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly repository: AuthRepository,
  ) {}

  /** Options for the signature/claims check, shared with the passport-jwt strategy. */
  get verifyOptions(): { algorithms: ['HS256']; issuer: string; audience: string } {
    return { algorithms: [ACCESS_TOKEN_ALGORITHM], issuer: this.config.jwt.issuer, audience: this.config.jwt.audience };
  }

  /** The whole check for a raw token string (the Socket.IO handshake uses this). */
  async verify(token: string): Promise<AuthUser> {
    let decoded: unknown;
    try {
      // No per-call secret: the JwtService's own is JWT_SECRET as a KeyObject (AuthModule, jwtKeyOf).
      decoded = await this.jwt.verifyAsync(token, { ...this.verifyOptions, complete: true });
    } catch (error) {
      throw new InvalidAccessTokenError(this.classify(token, error));
    }
    return this.resolve(decoded);
  }

  /**
   * Second half of the check, once the signature and standard claims passed (`decoded` is the complete
   * token: header and payload): no `crit`, required claims, not issued in the future, not revoked, user.
   * With `token` (its text), a token that passes is remembered: see `recall`.
   */
  async resolve(decoded: unknown, token?: string): Promise<AuthUser> {
    const claims = this.claimsOf(decoded);
    const user = await this.subjectOf(claims);
    if (token !== undefined) this.verified.remember(token, claims);
    return user;
  }

  /**
   * The claims of a token that passed the whole check before and has not expired since: its signature
   * and claims need no second check (VerifiedTokens), its user and revocation do (`subjectOf`).
   */
  recall(token: string): AccessTokenClaims | undefined {
    return this.verified.recall(token);
  }

  /** The token's user, unless the user is gone or the token was revoked (looked up on every request). */
  async subjectOf({ sub, jti, exp }: AccessTokenClaims): Promise<AuthUser> {
    const subject = await this.repository.findTokenSubject(sub, jti);
    if (!subject) throw new InvalidAccessTokenError('userGone');
    if (subject.revoked) throw new InvalidAccessTokenError('revoked');
    return { id: subject.id, email: subject.email, tokenId: jti, tokenExpiresAt: new Date(exp * 1000) };
  }

  private claimsOf(decoded: unknown): AccessTokenClaims {
    const token = completeToken.safeParse(decoded);
    if (!token.success) throw new InvalidAccessTokenError('malformed');
    // RFC 7515 §4.1.11: we understand no extension, so any `crit` means the token must be refused.
    if ('crit' in token.data.header) throw new InvalidAccessTokenError('critical');
    const claims = accessTokenClaims.safeParse(token.data.payload);
    if (!claims.success) throw new InvalidAccessTokenError('badClaims');
    if (claims.data.iat > Math.floor(Date.now() / 1000) + CLOCK_SKEW_SECONDS) throw new InvalidAccessTokenError('issuedInFuture');
    return claims.data;
  }

  /** Names what was wrong with a token the JWT library refused. */
  classify(token: string | undefined, error: unknown): TokenFailure {
    if (!token) return 'missing';
    let algorithm: unknown;
    try {
      algorithm = this.jwt.decode(token, { complete: true })?.header.alg;
    } catch {
      return 'malformed';
    }
    if (algorithm === undefined) return 'malformed';
    // Checked before the signature so `alg: none` and RS/ES tokens get the precise answer.
    if (algorithm !== ACCESS_TOKEN_ALGORITHM) return 'wrongAlgorithm';
    const { name, message } = error instanceof Error ? error : { name: '', message: '' };
    if (name === 'TokenExpiredError') return 'expired';
    if (name === 'NotBeforeError') return 'notYetValid';
    if (message.startsWith('jwt issuer invalid')) return 'wrongIssuer';
    if (message.startsWith('jwt audience invalid')) return 'wrongAudience';
    if (message === 'invalid signature' || message === 'jwt signature is required') return 'badSignature';
    if (message === 'invalid algorithm') return 'wrongAlgorithm';
    return 'malformed';
  }
}
