import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestTraceId } from '../../tracing/http-tracing.js';
import { DomainError } from '../errors/domain-error.js';
import { toProblem } from './to-problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Renders an error as a problem response; shared by Nest's filter and Fastify's own error hooks. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { body, headers, unexpected, reason } = toProblem(error, request);
  // The trace id lets an operator find the failing request's spans; only server errors carry it.
  if (body.status >= 500) body.traceId = requestTraceId(request);
  if (unexpected) {
    request.log.error({ err: error, status: body.status }, 'request failed');
  } else if (body.status >= 500 && !(error instanceof DomainError && !error.loggedPerRequest)) {
    request.log.warn({ status: body.status, detail: body.detail, ...(reason ? { reason } : {}) }, 'request failed');
  }
  if (reply.sent) return;
  void reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
}
