import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator.js';
import { livenessSchema, type Readiness, readinessSchema } from './health.schema.js';
import { HealthService } from './health.service.js';

@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs' })
  @ApiOkResponse({ description: 'The process runs', standardSchema: livenessSchema, example: { status: 'ok' } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when the database (and Redis, when configured) answer' })
  @ApiOkResponse({
    description: 'Ready to serve',
    standardSchema: readinessSchema,
    example: { status: 'ok', checks: { database: 'up', redis: 'up' } },
  })
  @ApiResponse({
    status: 503,
    description: 'Not ready: a dependency does not answer',
    standardSchema: readinessSchema,
    example: { status: 'unavailable', checks: { database: 'down' } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await this.health.readiness();
    reply.status(readiness.status === 'ok' ? 200 : 503).header('cache-control', 'no-store');
    return readiness;
  }
}
