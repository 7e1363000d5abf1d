import { type Context, context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UNMATCHED_ROUTE } from '../metrics/http-metrics.js';
import { getTracer } from './tracing.js';

interface RequestTrace {
  span: Span;
  context: Context;
}

const traces = new WeakMap<FastifyRequest, RequestTrace>();

/** The trace id of this request's span, when tracing is on. */
export function requestTraceId(request: FastifyRequest): string | undefined {
  return traces.get(request)?.span.spanContext().traceId;
}

/**
 * A SERVER span per request, named by method and route template, child of the caller's W3C
 * `traceparent` when it sends one. The span's context is entered at `onRequest` and again at
 * `preHandler` (so the handler runs in it whatever async path body parsing took), so the guard, the handler, its
 * SQL and its Socket.IO emit all become its children. The request's log lines carry `traceId`.
 * Registered only when tracing is on.
 */
export function registerHttpTracing(fastify: FastifyInstance): void {
  const tracer = getTracer();
  if (!tracer) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
      parent,
    );
    const active = trace.setSpan(parent, span);
    traces.set(request, { span, context: active });
    const traceId = span.spanContext().traceId;
    request.log = request.log.child({ traceId });
    reply.log = request.log;
    context.with(active, done);
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const entry = traces.get(request);
    if (entry) context.with(entry.context, done);
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    end(request, undefined);
    done();
  });
}

function end(request: FastifyRequest, status: number | undefined): void {
  const entry = traces.get(request);
  if (!entry) return;
  traces.delete(request);
  if (status === undefined) {
    entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
  } else {
    entry.span.setAttribute('http.response.status_code', status);
    if (status >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
  }
  entry.span.end();
}
