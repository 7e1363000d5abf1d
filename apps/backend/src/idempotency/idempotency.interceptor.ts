import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, of } from 'rxjs';
import type { AuthUser } from '../auth/auth-user.js';
import { answerOfTaskWrite } from '../tasks/task-answers.js';
import { readIdempotencyKey, requestFingerprint } from './idempotency-key.js';
import { InvalidIdempotencyKeyError } from './idempotency.errors.js';
import { IdempotencyService } from './idempotency.service.js';
import { BULK_ROUTE_SUFFIX, type IdempotencyState } from './idempotency-answers.js';

/**
 * Idempotency-Key on a write route (put it on write handlers only: an interceptor costs every
 * request it wraps). Runs after the guards, so the key is the authenticated user's and a request
 * refused by the rate limit never claims one. A single-task write stores its answer inside its own
 * transaction (it commits with the change); any other answer is stored by the onSend hook
 * (idempotency-answers.ts), which also replays stored ones. Each answer is stored once.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly keys: IdempotencyService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const reading = readIdempotencyKey(request.raw.rawHeaders);
    if (reading.kind === 'none' || !request.user) return next.handle();
    if (reading.kind === 'invalid') throw new InvalidIdempotencyKeyError(reading.message);
    const path = request.url.split('?')[0] ?? request.url;
    const fingerprint = requestFingerprint(request.method, path, request.body);
    const outcome = await this.keys.claim(request.user.id, reading.key, fingerprint);
    if (outcome.kind === 'replay') {
      request.idempotency = { replay: outcome.answer };
      return of(undefined);
    }
    const { held } = outcome;
    // The TASKS_API_TIMEOUT 503 went out while the claim waited: that answer is not final.
    if (context.switchToHttp().getResponse<FastifyReply>().sent) {
      await this.keys.finish(held, { status: 503, headers: {}, body: null });
      return of(undefined);
    }
    const state: IdempotencyState = { finish: (answer) => this.keys.finish(held, answer) };
    request.idempotency = state;
    const route = request.routeOptions.url ?? path;
    // A bulk request writes in one transaction per id: its answer is known only after the last one.
    if (!route.endsWith(BULK_ROUTE_SUFFIX)) {
      request.budget?.onBeforeCommit(async (tx, result) => {
        const answer = answerOfTaskWrite(request.method, route, result);
        if (!answer) return;
        await this.keys.completeIn(tx, held, answer);
        state.storedWithWrite = answer.status;
      });
    }
    return next.handle();
  }
}
