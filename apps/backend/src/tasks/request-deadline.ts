import { AsyncLocalStorage } from 'node:async_hooks';
import { ServiceUnavailableError } from '../common/errors/domain-error.js';

const deadlines = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with a signal that aborts when the request's time budget is spent. */
export function withRequestDeadline<T>(signal: AbortSignal, fn: () => T): T {
  return deadlines.run(signal, fn);
}

/**
 * Called before each write: once the client has been told 503, no later write may happen. (The
 * statement already running is cancelled by PostgreSQL's statement_timeout.)
 */
export function assertWithinDeadline(): void {
  if (deadlines.getStore()?.aborted) {
    throw new ServiceUnavailableError('The request ran out of time before its change was made.');
  }
}
