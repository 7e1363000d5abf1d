import {
  PROBLEM_KINDS,
  type ProblemFieldError,
  type ProblemKind,
  type ProblemType,
  problemType,
} from '@tasks/schemas';

/**
 * Base of every expected failure. Features subclass it with their own errors (TaskNotFoundError,
 * InvalidCredentialsError, …), each naming its problem kind; status, title and type come from the
 * kind (packages/schemas problem-kinds.ts), so they cannot disagree with GET /api/problems/<kind>.
 * ProblemFilter turns it into an RFC 9457 response.
 */
export abstract class DomainError extends Error {
  readonly status: number;
  readonly title: string;
  /** Problem type URI: `/api/problems/<kind>`. */
  readonly type: ProblemType;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>> = {};
  readonly errors?: readonly ProblemFieldError[];
  /** False for a refusal made on purpose under load, whose owner logs a summary instead of a 5xx line per request. */
  readonly loggedPerRequest: boolean = true;

  protected constructor(
    readonly kind: ProblemKind,
    detail: string,
  ) {
    super(detail);
    ({ status: this.status, title: this.title } = PROBLEM_KINDS[kind]);
    this.type = problemType(kind);
  }
}

/** A request that did not match its schema; `errors` names each bad field. */
export class RequestValidationError extends DomainError {
  override readonly errors: readonly ProblemFieldError[];

  constructor(errors: readonly ProblemFieldError[], detail = 'The request is invalid; see errors for each field.') {
    super('validation-error', detail);
    this.errors = errors;
  }
}

/** The service cannot answer right now (database down, request took too long). */
export class ServiceUnavailableError extends DomainError {
  override readonly headers = { 'retry-after': '1' };

  constructor(detail: string) {
    super('unavailable', detail);
  }
}

/** The request took longer than TASKS_API_TIMEOUT; its work was cancelled or rolled back. */
export class RequestTimeoutError extends DomainError {
  override readonly headers = { 'retry-after': '1' };

  constructor(detail: string) {
    super('timeout', detail);
  }
}
