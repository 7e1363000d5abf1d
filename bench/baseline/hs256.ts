// The access-token check of apps/backend (AccessTokenVerifier over jsonwebtoken) done directly with
// node:crypto: one HMAC, one constant-time compare, two JSON.parse, the claim checks. Every token the
// app refuses is refused here, for the same reasons.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

export interface TokenRules {
  secret: string;
  issuer: string;
  audience: string;
}

export interface TokenClaims {
  sub: string;
  jti: string;
  exp: number;
}

/** Seconds `iat` may lie ahead of the clock (CLOCK_SKEW_SECONDS of access-token.verifier.ts). */
const CLOCK_SKEW_SECONDS = 60;

// What jws accepts as a compact JWS (base64url segments, header and payload non-empty), narrowed to
// an HS256 signature: 43 characters of which the last carries 2 unused bits that must be zero, as
// jsonwebtoken compares the encoded signature and so refuses any other spelling of the same bytes.
const COMPACT_HS256 = /^[\w-]+\.[\w-]+\.[\w-]{42}[AEIMQUYcgkosw048]$/;

/** Zod's z.uuid() (RFC 9562: version 1-8, variant 10xx, or the nil and max UUIDs), as the app checks sub and jti. */
export const UUID =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A segment's JSON object, or undefined (bad base64 gives bad JSON). */
function objectOf(segment: string, encoding: 'latin1' | 'utf8'): Json | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString(encoding));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The claims the app goes on with (sub, jti), or null when the app would answer 401 before any SQL:
 * malformed token, an alg other than HS256 (`none`, HS512, RS256…), a `crit` header, a wrong
 * signature, nbf ahead or not a number, expired, wrong iss or aud, iat more than a minute ahead,
 * sub or jti not UUIDs, iat or exp not safe integers.
 */
export function accessTokenCheck(rules: TokenRules): (token: string, nowSec?: number) => TokenClaims | null {
  const key = createSecretKey(Buffer.from(rules.secret, 'utf8'));
  return (token, nowSec = Math.floor(Date.now() / 1000)) => {
    if (!COMPACT_HS256.test(token)) return null;
    const dot = token.indexOf('.');
    const lastDot = token.lastIndexOf('.');
    // jws reads the header as latin1 and the payload as utf8.
    const header = objectOf(token.slice(0, dot), 'latin1');
    if (header?.alg !== 'HS256' || 'crit' in header) return null;
    const mac = createHmac('sha256', key).update(token.slice(0, lastDot)).digest();
    if (!timingSafeEqual(mac, Buffer.from(token.slice(lastDot + 1), 'base64url'))) return null;
    const claims = objectOf(token.slice(dot + 1, lastDot), 'utf8');
    if (!claims) return null;
    const { sub, jti, iat, exp, nbf, iss, aud } = claims;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSec)) return null;
    if (!Number.isSafeInteger(exp) || nowSec >= (exp as number)) return null;
    if (!(Array.isArray(aud) ? aud.includes(rules.audience) : aud === rules.audience) || iss !== rules.issuer) return null;
    if (!Number.isSafeInteger(iat) || (iat as number) > nowSec + CLOCK_SKEW_SECONDS) return null;
    if (typeof sub !== 'string' || typeof jti !== 'string' || !UUID.test(sub) || !UUID.test(jti)) return null;
    return { sub, jti, exp: exp as number };
  };
}

/** Tokens remembered at most (VERIFIED_TOKENS_CAPACITY of the app). */
const VERIFIED_CAPACITY = 10_000;

/**
 * The app's VerifiedTokens: a token that passed the whole check once, by its exact text, needs only
 * its expiry checked again (its user and revocation are looked up on every request all the same).
 */
export function verifiedTokens() {
  const verified = new Map<string, TokenClaims>();
  return {
    recall(token: string, nowSec = Math.floor(Date.now() / 1000)): TokenClaims | undefined {
      const claims = verified.get(token);
      if (claims === undefined || nowSec < claims.exp) return claims;
      verified.delete(token);
      return undefined;
    },
    remember(token: string, claims: TokenClaims): void {
      if (verified.has(token)) return;
      if (verified.size >= VERIFIED_CAPACITY) verified.delete(verified.keys().next().value ?? '');
      verified.set(token, claims);
    },
  };
}
