import { performance } from 'node:perf_hooks';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import { ServiceUnavailableError } from '../common/errors/domain-error.js';
import { sendProblem } from '../common/filters/send-problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** TASKS_API_TIMEOUT of a tasks request; null on every other route. */
    budget: RequestBudget | null;
  }
}

/**
 * TASKS_API_TIMEOUT for one request, counted from its arrival. Past it the client gets a 503 (the
 * timer set by `registerRequestBudget`), PostgreSQL's statement_timeout (the same budget, on the
 * pool) cancels the statement still running, and `assertOpen()` stops the service before a write.
 */
export class RequestBudget {
  private readonly deadline: number;
  /** The 503 timer; cleared when the response is done. */
  timer: NodeJS.Timeout | undefined;

  constructor(ms: number, startedAt = performance.now()) {
    this.deadline = startedAt + ms;
  }

  get spent(): boolean {
    return performance.now() >= this.deadline;
  }

  /** Called before each write: once the budget is spent (the client is told 503), nothing more may change. */
  assertOpen(): void {
    if (this.spent) throw new ServiceUnavailableError('The request ran out of time before its change was made.');
  }
}

function answerSpent(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  if (reply.sent || reply.raw.headersSent) return;
  sendProblem(new ServiceUnavailableError(`The request took longer than ${ms} ms and was cancelled; try again.`), request, reply);
}

/**
 * Gives every route under `prefix` a budget of `ms`. Plain Fastify hooks and one timer per request:
 * a Nest interceptor did this before, and its rxjs + AsyncResource + AsyncLocalStorage machinery
 * cost 0.2–0.4 ms of CPU per request, a third of a GET (docs/benchmarks.md §7). Fastify's own
 * `handlerTimeout` is no substitute on Node 20: the request's `close` event, which arrives as soon
 * as a body has been read, clears its timer. Must run before the routes are registered.
 */
export function registerRequestBudget(fastify: FastifyInstance, prefix: string, ms: number): void {
  fastify.decorateRequest('budget', null);
  const start: onRequestHookHandler = (request, reply, done) => {
    const budget = new RequestBudget(ms);
    budget.timer = setTimeout(answerSpent, ms, request, reply, ms);
    request.budget = budget;
    done();
  };
  const finish: onResponseHookHandler = (request, _reply, done) => {
    clearTimeout(request.budget?.timer);
    done();
  };
  fastify.addHook('onRoute', (route) => {
    if (route.url !== prefix && !route.url.startsWith(`${prefix}/`)) return;
    route.onRequest = [...toArray(route.onRequest), start];
    route.onResponse = [...toArray(route.onResponse), finish];
  });
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The tasks request's budget, for the service to check before it writes. */
export const Budget = createParamDecorator((_data: unknown, context: ExecutionContext): RequestBudget => {
  const { budget } = context.switchToHttp().getRequest<FastifyRequest>();
  if (!budget) throw new Error('Budget used on a route outside the tasks prefix');
  return budget;
});
