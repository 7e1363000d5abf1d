/** The claims a verified access token carries, as AccessTokenVerifier reads them. */
export interface VerifiedClaims {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
}

/** Tokens remembered at most; past it the oldest is forgotten (and goes through passport again). */
export const VERIFIED_TOKENS_CAPACITY = 10_000;

/**
 * Access tokens that passed the whole check once (signature, algorithm, issuer, audience, claims), by
 * their exact text. A token's text cannot change without its signature failing, so a remembered one
 * needs only its expiry checked again; the user and revocation are looked up on every request all the
 * same. Only tokens this server verified get in, and at most `capacity` of them (a few MB).
 */
export class VerifiedTokens {
  private readonly claims = new Map<string, VerifiedClaims>();

  constructor(private readonly capacity = VERIFIED_TOKENS_CAPACITY) {}

  get size(): number {
    return this.claims.size;
  }

  /** The claims of `token` when it passed before and has not expired since (jsonwebtoken: valid while now < exp). */
  recall(token: string, nowSec = Math.floor(Date.now() / 1000)): VerifiedClaims | undefined {
    const claims = this.claims.get(token);
    if (claims === undefined || nowSec < claims.exp) return claims;
    this.claims.delete(token);
    return undefined;
  }

  remember(token: string, claims: VerifiedClaims): void {
    if (this.claims.has(token)) return;
    if (this.claims.size >= this.capacity) {
      const oldest = this.claims.keys().next();
      if (!oldest.done) this.claims.delete(oldest.value);
    }
    this.claims.set(token, claims);
  }
}
