import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { AppConfig } from '../config/app-config.js';

/**
 * OpenTelemetry tracing with manual spans (request, guard, SQL, Socket.IO emit), exported over
 * OTLP/HTTP JSON. Manual rather than auto-instrumentation: the backend is ESM, and loader hooks would
 * have to run before any module loads; the spans here need nothing but the API. Off unless an OTLP
 * endpoint is configured; then `tracer` is undefined and every helper below costs one check.
 */
let provider: TracerProvider | undefined;
let tracer: Tracer | undefined;

export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

/** Registers the global provider, context manager and W3C propagator (once per process). */
export function startTracing(config: AppConfig): void {
  const url = config.tracing.tracesUrl;
  if (url === undefined || provider !== undefined) return;
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.tracing.serviceName }),
    // A caller's sampling decision (traceparent flags) wins; new traces are kept at the configured ratio.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.tracing.sampleRatio) }),
    // The exporter also honours OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _COMPRESSION itself.
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  tracer = provider.getTracer('tasks-api');
}

/** Exports what is buffered and stops; called after the app closed. */
export async function stopTracing(): Promise<void> {
  await provider?.shutdown();
}

/** Exports every span ended so far (tests, and before a planned exit). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

export function getTracer(): Tracer | undefined {
  return tracer;
}

/** The trace id of the span active here, when tracing is on and a request is being traced. */
export function activeTraceId(): string | undefined {
  if (!tracer) return undefined;
  return trace.getActiveSpan()?.spanContext().traceId;
}

/** Runs `fn` inside a child span of the active one; ends it when `fn` settles. */
export function traced<T>(name: string, attributes: Attributes, fn: () => T): T {
  if (!tracer) return fn();
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, (span) => {
    try {
      const result = fn();
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            fail(span, error);
            span.end();
            throw error;
          },
        ) as T;
      }
      span.end();
      return result;
    } catch (error) {
      fail(span, error);
      span.end();
      throw error;
    }
  });
}

/** Starts a span of `kind` under the active context without activating it (the caller ends it). */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes): Span | undefined {
  return tracer?.startSpan(name, { kind, attributes });
}

export function fail(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
}
