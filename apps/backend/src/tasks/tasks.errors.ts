import type { TaskStatus } from '@tasks/schemas';
import { DomainError } from '../common/errors/domain-error.js';

/** Missing, deleted and other users' tasks all look like this: one body, no hint which. */
export class TaskNotFoundError extends DomainError {
  constructor() {
    super('not-found', 'No task with this id exists.');
  }
}

/** A status change the lifecycle does not allow; the detail names the moves that are allowed. */
export class InvalidTransitionError extends DomainError {
  constructor(
    readonly from: TaskStatus,
    readonly to: TaskStatus,
    readonly allowed: readonly TaskStatus[],
  ) {
    super(
      'invalid-transition',
      `A ${from} task cannot become ${to}; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}.`,
    );
  }
}

/** A field that only makes sense in another state, e.g. errorMessage on a task that is not FAILED. */
export class TaskStateConflictError extends DomainError {
  constructor(detail: string) {
    super('state-conflict', detail);
  }
}

export class RunningCapReachedError extends DomainError {
  constructor(readonly cap: number) {
    super('running-cap-reached', `You already have ${cap} RUNNING tasks, the most allowed at once; finish or cancel one first.`);
  }
}

/** If-Match named a version that is not the current one. */
export class PreconditionFailedError extends DomainError {
  constructor(current?: number) {
    super(
      'version-mismatch',
      current === undefined
        ? 'If-Match does not match the current version of the task.'
        : `If-Match does not match the current version of the task (now "${current}"); fetch it again and retry.`,
    );
  }
}

/** One more create while the user holds TASKS_MAX_PER_USER live tasks. */
export class TaskQuotaExceededError extends DomainError {
  constructor(readonly max: number) {
    super('quota-exceeded', `You already have ${max} tasks, the most allowed; delete some first.`);
  }
}

/** Past TASKS_WRITE_RATE_LIMIT writes in the current window. */
export class TaskWritesRateLimitedError extends DomainError {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(retryAfterSeconds: number, headers: Readonly<Record<string, string>>) {
    super('rate-limited', `Too many changes to tasks; try again in ${retryAfterSeconds} seconds.`);
    this.headers = { ...headers, 'retry-after': String(retryAfterSeconds) };
  }
}

/** A log cursor that is not one this server issued for this task. */
export class InvalidLogCursorError extends DomainError {
  constructor() {
    super('invalid-cursor', 'The cursor is not valid for this task; start again without it.');
  }
}

/** A list cursor this server did not issue for this user, or sent with other filters or sort. */
export class InvalidListCursorError extends DomainError {
  constructor() {
    super('invalid-cursor', 'The cursor is not valid for this user, filters and sort; send the same ones, or start again without it.');
  }
}
