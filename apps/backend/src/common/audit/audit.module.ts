import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit.log.js';

/** Global: any feature may write audit events (auth imports it once). */
@Global()
@Module({ providers: [AuditLog], exports: [AuditLog] })
export class AuditModule {}
