import { SpanKind, type Span } from '@opentelemetry/api';
import type pg from 'pg';
import type { Metrics } from '../metrics/metrics.js';
import { fail, startSpan, tracingEnabled } from './tracing.js';

type DatabaseKind = 'postgresql' | 'pglite';

/** The statement's leading keyword, for the span name (never values: statements are parameterised). */
function operationOf(text: string): string {
  return /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
}

/** Starts the span and clock of one statement; the returned function ends both. */
function observeStatement(metrics: Metrics, database: DatabaseKind, text: string): (error?: unknown) => void {
  const started = performance.now();
  const span: Span | undefined = tracingEnabled()
    ? startSpan(operationOf(text), SpanKind.CLIENT, { 'db.system.name': 'postgresql', 'db.query.text': text })
    : undefined;
  return (error) => {
    metrics.queryFinished(database, (performance.now() - started) / 1000);
    if (!span) return;
    if (error !== undefined) fail(span, error);
    span.end();
  };
}

/**
 * Times every statement of the pool's connections (Prisma's and DirectSql's alike) and, with tracing
 * on, gives each one a CLIENT span under the active request span. Also feeds the pool gauges.
 * Does nothing when metrics and tracing are both off.
 */
export function instrumentPool(pool: pg.Pool, metrics: Metrics): void {
  metrics.observePool(pool);
  if (!metrics.enabled && !tracingEnabled()) return;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const first = args[0] as { text?: unknown; submit?: unknown } | string | undefined;
      // Submittables (cursors, streams) report their own completion; they are left alone.
      if (typeof first === 'object' && typeof first.submit === 'function') return query(...args);
      const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '';
      const done = observeStatement(metrics, 'postgresql', text);
      const last = args.at(-1);
      if (typeof last === 'function') {
        // pg.Pool#query uses the callback form.
        const callback = last as (error: unknown, result: unknown) => void;
        return query(...args.slice(0, -1), (error: unknown, result: unknown) => {
          done(error ?? undefined);
          callback(error, result);
        });
      }
      return (query(...args) as Promise<unknown>).then(
        (result) => {
          done();
          return result;
        },
        (error: unknown) => {
          done(error);
          throw error;
        },
      );
    }) as typeof client.query;
  });
}

/** Anything with `query(text, params)` resolving to `{ rows }`, e.g. PGlite. */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** PGlite as DirectSql uses it: statements, and transactions whose statements are timed too. */
export interface EmbeddedQueryable extends Queryable {
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** The same for PGlite's direct SQL path (Prisma's PGlite adapter is not covered). */
export function instrumentQueryable<Q extends EmbeddedQueryable>(queryable: Q, metrics: Metrics): Q | EmbeddedQueryable {
  if (!metrics.enabled && !tracingEnabled()) return queryable;
  return {
    query: timedQuery(queryable, metrics),
    transaction: (work) => queryable.transaction((tx) => work({ query: timedQuery(tx, metrics) })),
  };
}

function timedQuery(queryable: Queryable, metrics: Metrics): Queryable['query'] {
  return async (text, params) => {
    const done = observeStatement(metrics, 'pglite', text);
    try {
      const result = await queryable.query(text, params);
      done();
      return result;
    } catch (error) {
      done(error);
      throw error;
    }
  };
}
