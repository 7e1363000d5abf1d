import type { TaskStatus } from '@tasks/schemas';
import { DomainError } from '../common/errors/domain-error.js';

/** Missing, deleted and other users' tasks all look like this: one body, no hint which. */
export class TaskNotFoundError extends DomainError {
  readonly status = 404;
  readonly title = 'Not Found';

  constructor() {
    super('No task with this id exists.');
  }
}

/** A status change the lifecycle does not allow; the detail names the moves that are allowed. */
export class InvalidTransitionError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';

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
}

export class RunningCapReachedError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';

  constructor(readonly cap: number) {
    super(`You already have ${cap} RUNNING tasks, the most allowed at once; finish or cancel one first.`);
  }
}

/** If-Match named a version that is not the current one. */
export class PreconditionFailedError extends DomainError {
  readonly status = 412;
  readonly title = 'Precondition Failed';

  constructor(current?: number) {
    super(
      current === undefined
        ? 'If-Match does not match the current version of the task.'
        : `If-Match does not match the current version of the task (now "${current}"); fetch it again and retry.`,
    );
  }
}
