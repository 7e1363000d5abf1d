import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id.js';
import { sendProblem } from './common/filters/send-problem.js';
import { createLogger, PinoNestLogger } from './common/logger.js';
import type { AppConfig } from './config/app-config.js';

export const API_PREFIX = 'api';
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreatedApp {
  app: NestFastifyApplication;
  logger: Logger;
}

/** Builds the whole application (not yet listening); `main.ts` and the tests both start it from here. */
export async function createApp(config: AppConfig, logger: Logger = createLogger(config.logLevel)): Promise<CreatedApp> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Fastify's default would hand a prototype-polluting body to handlers; strip it instead.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    abortOnError: false,
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: [] });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  // Errors raised by Fastify itself (body parsing, limits, unknown routes) get the same problem shape.
  fastify.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));

  await app.register(helmet, {
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
  await app.register(cors, {
    origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins],
    credentials: false,
    exposedHeaders: ['x-request-id', 'etag', 'location', 'retry-after', 'www-authenticate'],
    maxAge: 600,
  });

  return { app, logger };
}
