import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from './metrics.js';

/** The route label of requests no route matched (404s, bad URLs): never the raw URL. */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const counted = new WeakSet<FastifyRequest>();

/**
 * Request count, duration and in-flight gauge, labelled by method, route template and status.
 * Registered only when metrics are on, so an instance without METRICS_PORT pays nothing per request.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: Metrics): void {
  const settle = (request: FastifyRequest): void => {
    if (counted.delete(request)) metrics.httpInFlight.dec();
  };
  fastify.addHook('onRequest', (request, _reply, done) => {
    counted.add(request);
    metrics.httpInFlight.inc();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    settle(request);
    const labels = {
      method: METHODS.has(request.method) ? request.method : 'OTHER',
      route: request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE),
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    // Fastify's own clock, started when the request arrived.
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  // A client that went away before its answer still leaves the in-flight gauge.
  fastify.addHook('onRequestAbort', (request, done) => {
    settle(request);
    done();
  });
}
