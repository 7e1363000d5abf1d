import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '../errors/domain-error.js';
import { sendProblem } from '../filters/send-problem.js';

/** Every method the API serves, and every request header it reads (contract: Service routes). */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const CORS_REQUEST_HEADERS = [
  'authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'x-request-id',
] as const;
/** Response headers a page on another origin may read. */
export const CORS_EXPOSED_HEADERS = [
  'etag', 'location', 'retry-after', 'x-request-id', 'www-authenticate', 'ratelimit', 'ratelimit-policy', 'idempotent-replayed',
] as const;

export class InvalidPreflightError extends DomainError {
  constructor() {
    super('invalid-preflight', 'An OPTIONS request is a CORS preflight here: send Origin and Access-Control-Request-Method.');
  }
}

/**
 * CORS for the configured origins (`CORS_ORIGINS`; `*` = any). A preflight missing Origin or
 * Access-Control-Request-Method gets a 400 problem here, before @fastify/cors would answer it in
 * plain text.
 */
export async function registerCors(app: NestFastifyApplication, origins: readonly string[]): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.raw.method !== 'OPTIONS' || (request.headers.origin && request.headers['access-control-request-method'])) {
      done();
      return;
    }
    sendProblem(new InvalidPreflightError(), request, reply);
  });
  await app.register(cors, {
    origin: origins.includes('*') ? true : [...origins],
    credentials: false,
    methods: [...CORS_METHODS],
    allowedHeaders: [...CORS_REQUEST_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: 600,
  });
}
