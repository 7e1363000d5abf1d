import { problemType, type TaskStatus } from '@tasks/schemas';
import { DomainError } from '../common/errors/domain-error.js';

/** Missing, deleted and other users' tasks all look like this: one body, no hint which. */
export class TaskNotFoundError extends DomainError {
  readonly status = 404;
  readonly title = 'Not Found';
  override readonly type = problemType('not-found');

  constructor() {
    super('No task with this id exists.');
  }
}

/** A status change the lifecycle does not allow; the detail names the moves that are allowed. */
export class InvalidTransitionError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
  override readonly type = problemType('invalid-transition');

  constructor(
    readonly from: TaskStatus,
    readonly to: TaskStatus,
    readonly allowed: readonly TaskStatus[],
  ) {
    super(
      `A ${from} task cannot become ${to}; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}.`,
    );
  }
}

/** A field that only makes sense in another state, e.g. errorMessage on a task that is not FAILED. */
export class TaskStateConflictError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
  override readonly type = problemType('state-conflict');
}

export class RunningCapReachedError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
  override readonly type = problemType('running-cap-reached');

  constructor(readonly cap: number) {
    super(`You already have ${cap} RUNNING tasks, the most allowed at once; finish or cancel one first.`);
  }
}

/** If-Match named a version that is not the current one. */
export class PreconditionFailedError extends DomainError {
  readonly status = 412;
  readonly title = 'Precondition Failed';
  override readonly type = problemType('version-mismatch');

  constructor(current?: number) {
    super(
      current === undefined
        ? 'If-Match does not match the current version of the task.'
        : `If-Match does not match the current version of the task (now "${current}"); fetch it again and retry.`,
    );
  }
}

/** One more create while the user holds TASKS_MAX_PER_USER live tasks. */
export class TaskQuotaExceededError extends DomainError {
  readonly status = 403;
  readonly title = 'Forbidden';
  override readonly type = problemType('quota-exceeded');

  constructor(readonly max: number) {
    super(`You already have ${max} tasks, the most allowed; delete some first.`);
  }
}

/** Past TASKS_WRITE_RATE_LIMIT writes in the current window. */
export class TaskWritesRateLimitedError extends DomainError {
  readonly status = 429;
  readonly title = 'Too Many Requests';
  override readonly type = problemType('rate-limited');
  override readonly headers: Readonly<Record<string, string>>;

  constructor(retryAfterSeconds: number, headers: Readonly<Record<string, string>>) {
    super(`Too many changes to tasks; try again in ${retryAfterSeconds} seconds.`);
    this.headers = { ...headers, 'retry-after': String(retryAfterSeconds) };
  }
}

/** A log cursor that is not one this server issued for this task. */
export class InvalidLogCursorError extends DomainError {
  readonly status = 400;
  readonly title = 'Bad Request';
  override readonly type = problemType('invalid-cursor');

  constructor() {
    super('The cursor is not valid for this task; start again without it.');
  }
}

/** A list cursor this server did not issue for this user, or sent with other filters or sort. */
export class InvalidListCursorError extends DomainError {
  readonly status = 400;
  readonly title = 'Bad Request';
  override readonly type = problemType('invalid-cursor');

  constructor() {
    super('The cursor is not valid for this user, filters and sort; send the same ones, or start again without it.');
  }
}
