import { type Problem, type ProblemFieldError, type ProblemKind, problemKindOf } from '@tasks/schemas';
import type { z } from 'zod';

/** An error response of the API, read from its RFC 9457 problem document. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  /** The problem kind (`type` is `/api/problems/<kind>`); undefined for `about:blank` or a type this client does not know. */
  readonly kind: ProblemKind | undefined;
  readonly instance: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: readonly ProblemFieldError[];
  readonly headers: Headers;

  constructor(problem: Problem, headers: Headers = new Headers()) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.kind = problemKindOf(problem.type);
    this.instance = problem.instance;
    this.requestId = problem.requestId;
    this.errors = problem.errors ?? [];
    this.headers = headers;
  }

  /** The message for one field (`title`, `email` …), if the server rejected it. */
  fieldError(path: string): string | undefined {
    return this.errors.find((error) => error.path === path)?.message;
  }
}

/** The response did not match the shared contract: a bug on one side, never a user error. */
export class ContractDriftError extends Error {
  override readonly name = 'ContractDriftError';
  constructor(
    readonly what: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    const summary = issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    super(`Response of ${what} does not match the contract: ${summary}`);
  }
}

