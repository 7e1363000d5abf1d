import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { ServiceUnavailableError } from '../common/errors/domain-error.js';

/** The request's deadline, a `performance.now()` time: a clock check, no timer per request. */
const deadlines = new AsyncLocalStorage<number>();

/** Runs `fn` with the request's deadline (`performance.now()` time by which it must be done). */
export function withRequestDeadline<T>(deadline: number, fn: () => T): T {
  return deadlines.run(deadline, fn);
}

/**
 * Called before each write: once the client has been told 503, no later write may happen. (The
 * statement already running is cancelled by PostgreSQL's statement_timeout.)
 */
export function assertWithinDeadline(): void {
  const deadline = deadlines.getStore();
  if (deadline !== undefined && performance.now() >= deadline) {
    throw new ServiceUnavailableError('The request ran out of time before its change was made.');
  }
}
