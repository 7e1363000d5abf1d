import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { AppFastifyAdapter } from './common/http/app-fastify-adapter.js';
import { answerClientError } from './common/http/client-errors.js';
import { registerHashingShedding } from './auth/hashing-shedding.js';
import { PasswordHasher } from './auth/password.hasher.js';
import { registerCors } from './common/http/cors.js';
import { registerLingeringClose } from './common/http/lingering-close.js';
import { trackRouteMethods } from './common/http/route-methods.js';
import { registerSecurityHeaders } from './common/http/security-headers.js';
import { registerUrlLimit } from './common/http/url-limit.js';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id.js';
import { OneLineRequestLog } from './common/http/request-log.js';
import { ServiceUnavailableError } from './common/errors/domain-error.js';
import { sendProblem } from './common/filters/send-problem.js';
import { createLogger, PinoNestLogger } from './common/logger.js';
import type { AppConfig } from './config/app-config.js';
import { serveFrontend } from './frontend/serve-frontend.js';
import { registerHttpMetrics } from './metrics/http-metrics.js';
import { Metrics } from './metrics/metrics.js';
import { setupOpenApi } from './openapi.js';
import { SocketIoAdapter } from './realtime/socket-io.adapter.js';
import { registerIdempotencyAnswers } from './idempotency/idempotency-answers.js';
import { registerRequestBudget } from './tasks/request-budget.js';
import { registerHttpTracing } from './tracing/http-tracing.js';

export const API_PREFIX = 'api';
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreatedApp {
  app: NestFastifyApplication;
  logger: Logger;
}

/** Builds the whole application (not yet listening); `main.ts` and the tests both start it from here. */
export interface CreateAppOptions {
  /** Extra modules mounted beside the application's own (tests add probe controllers this way). */
  imports?: NonNullable<DynamicModule['imports']>;
}

/**
 * Never `true` (any client could name its address). A hop count trusts that many proxies in front
 * (Express's meaning; Fastify 5 treats a bare number as "trust nothing"), addresses/CIDRs trust those.
 */
function trustProxyOption(trust: AppConfig['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust === false ? false : [...trust];
}

export async function createApp(
  config: AppConfig,
  logger: Logger = createLogger(config.logLevel),
  options: CreateAppOptions = {},
): Promise<CreatedApp> {
  const adapter = new AppFastifyAdapter({
    loggerInstance: logger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // One request log line, on completion (see request-log.ts).
    logController: new OneLineRequestLog(),
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify's router gives up on a path parameter over 100 characters and answers "no route",
    // so a long bogus id got 404 instead of the 401/400 every other bad id gets. Let the route
    // match and the schema refuse it; the URL itself is still bounded by Node's header limit.
    routerOptions: { maxParamLength: 8192 },
    // A client must deliver its whole request within a minute: slowloris connections cannot pile up.
    requestTimeout: 60_000,
    trustProxy: trustProxyOption(config.trustProxy),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Such keys stay plain own properties (JSON.parse pollutes nothing); the global validation pipe
    // refuses them by name in every validated input (strict-schema-validation.pipe.ts).
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Errors Fastify raises before routing (bad URL, over-long path parameter) are problems too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      sendProblem(error, request, reply);
    },
    // And so are requests Node's parser refuses before Fastify sees them (431, unknown method …).
    clientErrorHandler: answerClientError,
  });
  const root = AppModule.forRoot(config);
  const rootModule: DynamicModule = options.imports
    ? { ...root, imports: [...(root.imports ?? []), ...options.imports] }
    : root;
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    abortOnError: false,
    // Fastify's own JSON parser (with bodyLimit and the poisoning rules above) is the only one:
    // Nest's would add a form-urlencoded parser, and the API answers non-JSON bodies with 415.
    bodyParser: false,
  });
  // Socket.IO on the same server and port, at /socket.io (Redis-backed when REDIS_URL is set).
  app.useWebSocketAdapter(new SocketIoAdapter(app, logger));
  app.setGlobalPrefix(API_PREFIX, { exclude: [] });

  const fastify = app.getHttpAdapter().getInstance();
  // First, so every request (503s while closing included) is counted and traced; no-ops when off.
  const metrics = app.get(Metrics);
  if (metrics.enabled) registerHttpMetrics(fastify, metrics);
  registerHttpTracing(fastify);
  // JSON only: Fastify's built-in text/plain parser would accept bodies that deserve a 415.
  fastify.removeContentTypeParser('text/plain');
  // Before the shutdown hook below, which must still be able to close the connection.
  registerLingeringClose(fastify);
  // Known paths asked with another method answer 405 with Allow (routes register at init, after this).
  trackRouteMethods(fastify);
  // Once shutdown starts, answers close their connection: an idle keep-alive socket would
  // otherwise hold the server open until the shutdown timeout. Nest's shutdown begins with
  // adapter.beforeClose(), well before Fastify's own close (which runs only after the Socket.IO
  // server has closed, and that waits for these very connections): new requests get a 503 problem.
  let closing = false;
  const beforeClose = adapter.beforeClose.bind(adapter);
  adapter.beforeClose = () => {
    closing = true;
    beforeClose();
  };
  // Hooks on every request are callback-style: an async hook costs a promise and a microtask each time.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    if (!closing) {
      done();
      return;
    }
    sendProblem(new ServiceUnavailableError('The server is shutting down; retry the request.'), request, reply);
  });
  registerUrlLimit(fastify);
  // A full password-hashing queue refuses sign-ins and registrations before their body is read.
  registerHashingShedding(fastify, [`/${API_PREFIX}/auth/login`, `/${API_PREFIX}/auth/register`], app.get(PasswordHasher));
  // TASKS_API_TIMEOUT bounds every tasks request (hooks on those routes only; they register at init).
  if (config.tasks.enabled) {
    registerRequestBudget(fastify, `/${API_PREFIX}/tasks`, config.tasks.timeoutMs);
    // Stores and replays Idempotency-Key answers (claimed by IdempotencyInterceptor).
    registerIdempotencyAnswers(fastify);
  }
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  // Errors raised by Fastify itself (body parsing, limits, unknown routes) reach ProblemFilter through
  // the error and not-found handlers Nest installs on init; a handler of our own would be overridden.

  registerSecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await registerCors(app, config.corsOrigins);

  // OpenAPI 3.1 at /api/openapi.json and the docs UI at /api/docs (API_DOCS_ENABLED).
  setupOpenApi(app, config);

  // The built web UI at `/` (apps/frontend/dist), when it has been built.
  await serveFrontend(app);

  return { app, logger };
}
