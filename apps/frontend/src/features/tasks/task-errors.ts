import { ApiError } from '../../lib/api/contract-client.js';
import { formErrorsOf, type FormErrors } from '../../lib/errors.js';

export interface TaskErrorHandlers {
  onSessionEnded(): void;
  /** The task is gone (deleted elsewhere, or never was ours). */
  onGone(): void;
  /** Someone else changed the task first; reload it before trying again. */
  onStale(): void;
}

/** Reacts to the errors any task write can get and returns what the form should show. */
export function handleTaskError(error: unknown, fields: readonly string[], handlers: TaskErrorHandlers): FormErrors {
  if (error instanceof ApiError) {
    if (error.status === 401) handlers.onSessionEnded();
    if (error.status === 404) handlers.onGone();
    if (error.status === 412) {
      handlers.onStale();
      return { fields: {}, message: 'This task was changed in another tab or device. The latest version is shown; please try again.' };
    }
  }
  return formErrorsOf(error, fields);
}
