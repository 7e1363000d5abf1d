import { DomainError, RequestValidationError } from '../common/errors/domain-error.js';

/** A malformed Idempotency-Key header (empty, too long, not printable ASCII, sent twice). */
export class InvalidIdempotencyKeyError extends RequestValidationError {
  constructor(message: string) {
    super([{ path: 'Idempotency-Key', message }], 'The Idempotency-Key header is invalid.');
  }
}

/** The key was used before for another method, path or body. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('idempotency-key-reused', 'This Idempotency-Key was used for another request (method, path or body); use a new key.');
  }
}

/** The first request with this key is still running. */
export class IdempotencyKeyInProgressError extends DomainError {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(retryAfterSeconds: number) {
    super('idempotency-key-in-progress', `A request with this Idempotency-Key is still running; retry in ${retryAfterSeconds} seconds.`);
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}
