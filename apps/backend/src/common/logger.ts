import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config.js';
import { activeTraceId } from '../tracing/tracing.js';

/** Structured JSON logs; secrets are redacted wherever they might appear. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'tasks-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.passwordHash',
        '*.accessToken',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}

/**
 * Routes Nest's own log calls (bootstrap, modules, services' `Logger`) into the same pino stream; a
 * line written while a request is traced carries its `traceId` (undefined, so absent, otherwise).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context, traceId: activeTraceId() }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace, traceId: activeTraceId() }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context, traceId: activeTraceId() }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context, traceId: activeTraceId() }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context, traceId: activeTraceId() }, String(message));
  }
}
