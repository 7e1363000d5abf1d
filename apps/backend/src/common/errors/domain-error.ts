import type { ProblemFieldError } from '@tasks/schemas';

/**
 * Base of every expected failure. Features subclass it with their own errors (TaskNotFoundError,
 * InvalidCredentialsError, …); ProblemFilter turns it into an RFC 9457 response.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Problem type URI; `about:blank` means the title is the HTTP status's own. */
  readonly type: string = 'about:blank';
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>> = {};
  readonly errors?: readonly ProblemFieldError[];
}

/** A request that did not match its schema; `errors` names each bad field. */
export class RequestValidationError extends DomainError {
  readonly status = 400;
  readonly title = 'Bad Request';
  override readonly errors: readonly ProblemFieldError[];

  constructor(errors: readonly ProblemFieldError[], detail = 'The request is invalid; see errors for each field.') {
    super(detail);
    this.errors = errors;
  }
}

/** The service cannot answer right now (database down, request took too long). */
export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
  readonly title = 'Service Unavailable';
  override readonly headers = { 'retry-after': '1' };
}
