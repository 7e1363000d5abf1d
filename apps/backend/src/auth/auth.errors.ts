import type { RateLimiterName } from '../common/audit/audit.events.js';
import { DomainError } from '../common/errors/domain-error.js';

/** Why a presented access token was refused; each becomes the 401 problem's `detail`. */
export const TOKEN_FAILURE = {
  missing: 'No access token: send Authorization: Bearer <token>.',
  malformedHeader: 'The Authorization header is malformed: expected "Bearer <token>".',
  malformed: 'The access token is malformed.',
  badSignature: 'The access token signature is invalid.',
  wrongAlgorithm: 'The access token uses an unsupported algorithm: only HS256 is accepted.',
  expired: 'The access token has expired.',
  notYetValid: 'The access token is not valid yet.',
  wrongIssuer: 'The access token was issued by another issuer.',
  wrongAudience: 'The access token is meant for another audience.',
  badClaims: 'The access token lacks required claims (sub, jti, iat, exp).',
  critical: 'The access token has a critical header parameter (crit) this server does not understand.',
  issuedInFuture: 'The access token was issued in the future.',
  revoked: 'The access token has been revoked (logged out).',
  userGone: 'The user of this access token no longer exists.',
} as const;
export type TokenFailure = keyof typeof TOKEN_FAILURE;

/** 401 for a missing or unusable access token (RFC 6750 §3: `WWW-Authenticate: Bearer`). */
export class InvalidAccessTokenError extends DomainError {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(readonly reason: TokenFailure) {
    super('invalid-token', TOKEN_FAILURE[reason]);
    // A request without credentials gets the bare challenge; a bad token also gets error="invalid_token".
    this.headers = {
      'www-authenticate':
        reason === 'missing'
          ? 'Bearer realm="tasks-api"'
          : reason === 'malformedHeader'
            ? 'Bearer realm="tasks-api", error="invalid_request"'
            : `Bearer realm="tasks-api", error="invalid_token", error_description="${TOKEN_FAILURE[reason]}"`,
    };
  }
}

/** Wrong email or wrong password: one message for both so a response never reveals which. */
export class InvalidCredentialsError extends DomainError {
  override readonly headers = { 'www-authenticate': 'Bearer realm="tasks-api"' };

  constructor() {
    super('invalid-credentials', 'The email or password is incorrect.');
  }
}

export class EmailTakenError extends DomainError {
  constructor() {
    super('email-taken', 'An account with this email already exists.');
  }
}

export class TooManyAttemptsError extends DomainError {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly retryAfterSeconds: number,
    what: string,
    rateLimitHeaders: Readonly<Record<string, string>>,
    /** Which limit refused, for the audit log (never the key itself). */
    readonly limit: { readonly limiter: RateLimiterName; readonly keyKind: 'address' | 'address_email' },
  ) {
    super('rate-limited', `Too many ${what}; try again in ${retryAfterSeconds} seconds.`);
    this.headers = { ...rateLimitHeaders, 'retry-after': String(retryAfterSeconds) };
  }
}

/** Password hashing is saturated (its queue is full): 503 rather than an ever-longer wait. */
export class HashingBusyError extends DomainError {
  override readonly headers = { 'retry-after': '1' };
  override readonly loggedPerRequest = false;

  constructor() {
    super('unavailable', 'Too many sign-ins are being checked right now; try again in a second.');
  }
}
