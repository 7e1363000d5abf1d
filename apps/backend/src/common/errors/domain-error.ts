import { type ProblemFieldError, type ProblemKind, type ProblemType, problemKindOf, problemType } from '@tasks/schemas';

/**
 * Base of every expected failure. Features subclass it with their own errors (TaskNotFoundError,
 * InvalidCredentialsError, …); ProblemFilter turns it into an RFC 9457 response.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Problem type URI, `problemType(kind)` for one of the listed kinds (packages/schemas problem-kinds.ts). */
  readonly type: ProblemType = 'about:blank';
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>> = {};
  readonly errors?: readonly ProblemFieldError[];

  /** The problem kind `type` names; undefined only for `about:blank`. */
  get kind(): ProblemKind | undefined {
    return problemKindOf(this.type);
  }
}

/** A request that did not match its schema; `errors` names each bad field. */
export class RequestValidationError extends DomainError {
  readonly status = 400;
  readonly title = 'Bad Request';
  override readonly type = problemType('validation-error');
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
  override readonly type = problemType('unavailable');
  override readonly headers = { 'retry-after': '1' };
}

/** The request took longer than TASKS_API_TIMEOUT; its work was cancelled or rolled back. */
export class RequestTimeoutError extends DomainError {
  readonly status = 503;
  readonly title = 'Service Unavailable';
  override readonly type = problemType('timeout');
  override readonly headers = { 'retry-after': '1' };
}
