import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { catchError, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import type { FastifyReply } from 'fastify';
import { performance } from 'node:perf_hooks';
import { ServiceUnavailableError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { withRequestDeadline } from './request-deadline.js';

/**
 * Bounds every tasks request by TASKS_API_TIMEOUT: past it the client gets 503. The database's
 * statement_timeout (set to the same budget on the pool) cancels the statement still running, and
 * the request's deadline stops the service before any further write.
 */
@Injectable()
export class TasksTimeoutInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ms = this.config.tasks.timeoutMs;
    // The budget counts from the request's arrival, so time spent in guards (auth) is part of it.
    const elapsed = context.switchToHttp().getResponse<FastifyReply>().elapsedTime;
    const remaining = Math.floor(ms - elapsed);
    const spent = () => new ServiceUnavailableError(`The request took longer than ${ms} ms and was cancelled; try again.`);
    if (remaining <= 0) return throwError(spent);
    const deadline = performance.now() + remaining;
    // The handler runs on subscription, so subscribing inside the deadline's context hands it the deadline.
    const handled = new Observable<unknown>((subscriber) =>
      withRequestDeadline(deadline, () => next.handle().subscribe(subscriber)),
    );
    return handled.pipe(
      timeout(remaining),
      catchError((error: unknown) => throwError(() => (error instanceof TimeoutError ? spent() : error))),
    );
  }
}
