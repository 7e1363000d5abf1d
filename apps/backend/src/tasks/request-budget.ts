import { performance } from 'node:perf_hooks';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import type { AuditContext } from '../common/audit/audit.events.js';
import { RequestTimeoutError } from '../common/errors/domain-error.js';
import { sendProblem } from '../common/filters/send-problem.js';
import { appendRouteHook } from '../common/http/route-hooks.js';
import type { CommitDeadline, SqlExecutor } from '../database/direct-sql.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** TASKS_API_TIMEOUT of a tasks request; null on every other route. */
    budget: RequestBudget | null;
  }
}

/**
 * TASKS_API_TIMEOUT for one request, counted from its arrival. Past it the client gets a 503 (the
 * timer set by `registerRequestBudget`) and nothing of the request may commit: writes run in a
 * DirectSql transaction under this deadline (each statement gets the time left; COMMIT only while
 * open), and the 503 and a COMMIT exclude each other (see CommitDeadline).
 */
export class RequestBudget implements CommitDeadline {
  private readonly deadline: number;
  /**
   * open → answered (the 503 went out; nothing may commit), or open → committing → committed (the
   * request answers with its own result, even if late; the 503 may no longer go out).
   */
  private state: 'open' | 'committing' | 'committed' | 'answered' = 'open';
  /** The 503 timer; cleared when the response is done. */
  timer: NodeJS.Timeout | undefined;
  /** Run inside each write transaction of the request, before its COMMIT (see `beforeCommit`). */
  private commitHook: ((tx: SqlExecutor, result: unknown) => Promise<void>) | undefined;

  constructor(
    private readonly ms: number,
    startedAt = performance.now(),
    private readonly originOf: () => AuditContext = () => ({}),
  ) {
    this.deadline = startedAt + ms;
  }

  /** The request this budget belongs to, for the audit lines of its writes (computed only when one is written). */
  get origin(): AuditContext {
    return this.originOf();
  }

  get spent(): boolean {
    return this.state === 'answered' || performance.now() >= this.deadline;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  /** Once the budget is spent (the client is told 503), nothing more may change. */
  assertOpen(): void {
    if (this.spent) throw new RequestTimeoutError(`The request took longer than ${this.ms} ms and was cancelled; try again.`);
  }

  /** Sets the statements every write transaction of this request runs last, in the transaction. */
  onBeforeCommit(hook: (tx: SqlExecutor, result: unknown) => Promise<void>): void {
    this.commitHook = hook;
  }

  async beforeCommit(tx: SqlExecutor, result: unknown): Promise<void> {
    await this.commitHook?.(tx, result);
  }

  beginCommit(): void {
    this.assertOpen();
    this.state = 'committing';
  }

  endCommit(): void {
    if (this.state === 'committing') this.state = 'committed';
  }

  /**
   * The timer's question: may the 503 go out now? Not once a COMMIT has started (that request
   * answers with its own result instead, a little late); if it does, no commit may start after.
   */
  claimTimeoutAnswer(): boolean {
    if (this.state !== 'open') return false;
    this.state = 'answered';
    return true;
  }
}

function answerSpent(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  if (reply.sent || reply.raw.headersSent) return;
  if (request.budget && !request.budget.claimTimeoutAnswer()) return;
  sendProblem(new RequestTimeoutError(`The request took longer than ${ms} ms and was cancelled; try again.`), request, reply);
}

/**
 * Gives every route under `prefix` a budget of `ms`. Plain Fastify hooks and one timer per request,
 * not a Nest interceptor: its rxjs + AsyncResource + AsyncLocalStorage machinery costs a large share
 * of a GET's CPU (docs/benchmarks.md). Fastify's own
 * `handlerTimeout` is no substitute on Node 20: the request's `close` event, which arrives as soon
 * as a body has been read, clears its timer. Must run before the routes are registered.
 */
export function registerRequestBudget(fastify: FastifyInstance, prefix: string, ms: number): void {
  fastify.decorateRequest('budget', null);
  const start: onRequestHookHandler = (request, reply, done) => {
    const budget = new RequestBudget(ms, performance.now(), () => ({ reqId: request.id, ip: request.ip }));
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
    appendRouteHook(route, 'onRequest', start);
    appendRouteHook(route, 'onResponse', finish);
  });
}

/** The tasks request's budget, for the service to check before it writes. */
export const Budget = createParamDecorator((_data: unknown, context: ExecutionContext): RequestBudget => {
  const { budget } = context.switchToHttp().getRequest<FastifyRequest>();
  if (!budget) throw new Error('Budget used on a route outside the tasks prefix');
  return budget;
});
