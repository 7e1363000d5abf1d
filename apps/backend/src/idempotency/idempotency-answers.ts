import type { FastifyInstance, FastifyReply, onSendHookHandler } from 'fastify';
import type { StoredAnswer } from './idempotency.repository.js';

export const BULK_ROUTE_SUFFIX = '/bulk';
/** The headers a replay gives back, besides status and body. */
const KEPT_HEADERS = ['etag', 'location', 'content-type'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by IdempotencyInterceptor: the answer to replay, or how to store this request's answer. */
    idempotency: IdempotencyState | null;
  }
}

/** A keyed request's part in onSend: replay an answer, or store this one (unless its write transaction did). */
export interface IdempotencyState {
  replay?: StoredAnswer;
  finish?: (answer: StoredAnswer) => Promise<void>;
  /**
   * Status of the answer stored inside the write's transaction (before its COMMIT). An answer with
   * this status means that transaction committed, answer included: nothing is left to store.
   */
  storedWithWrite?: number;
}

function keptHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}

function bodyOf(payload: unknown): string | null {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return null;
}

/**
 * onSend, where the final status, headers and body of every answer are known (problems and the
 * TASKS_API_TIMEOUT 503 included): stores a keyed request's answer before it goes out, or swaps
 * the handler's empty result for the replayed answer.
 */
export function registerIdempotencyAnswers(fastify: FastifyInstance): void {
  fastify.decorateRequest('idempotency', null);
  const onSend: onSendHookHandler = (request, reply, payload, done) => {
    const state = request.idempotency;
    if (!state) {
      done(null, payload);
      return;
    }
    request.idempotency = null;
    if (state.replay) {
      const { status, headers, body } = state.replay;
      void reply.status(status).headers({ ...headers, 'idempotent-replayed': 'true' });
      if (body === null) reply.removeHeader('content-type');
      done(null, body ?? '');
      return;
    }
    if (!state.finish || state.storedWithWrite === reply.statusCode) {
      done(null, payload);
      return;
    }
    const answer = { status: reply.statusCode, headers: keptHeaders(reply), body: bodyOf(payload) };
    void state.finish(answer).then(() => done(null, payload));
  };
  fastify.addHook('onSend', onSend);
}
