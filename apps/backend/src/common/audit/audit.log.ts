import { createHmac } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger as PinoLogger } from 'pino';
import { AppConfig } from '../../config/app-config.js';
import { AUDIT_LEVELS, type AuditContext, type AuditEventName, type AuditEvents } from './audit.events.js';

/** Writes audit events as one JSON log line each (`event` = the name) on the application's pino logger. */
@Injectable()
export class AuditLog {
  private readonly fallback = new Logger('Audit');

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  write<E extends AuditEventName>(event: E, fields: AuditEvents[E], context: AuditContext = {}): void {
    const level = AUDIT_LEVELS[event];
    const line: Record<string, unknown> = { event, ...fields, ...context };
    const pino = this.pino();
    if (pino) pino[level](line, String(event));
    else this.fallback[level === 'warn' ? 'warn' : 'log'](JSON.stringify(line));
  }

  /** Keyed hash of a normalised email: repeated attempts on one address correlate, the address stays unknown. */
  emailHash(email: string): string {
    return createHmac('sha256', this.config.auditHmacKey).update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);
  }

  private pino(): PinoLogger | undefined {
    const instance: unknown = this.adapterHost.httpAdapter?.getInstance();
    return (instance as { log?: PinoLogger } | undefined)?.log;
  }
}
