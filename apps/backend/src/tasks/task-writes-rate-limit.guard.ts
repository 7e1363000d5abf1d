import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { BULK_MAX_IDS } from '@tasks/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AuthUser } from '../auth/auth-user.js';
import { AuditLog } from '../common/audit/audit.log.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { RedisService } from '../redis/redis.service.js';
import { TaskWritesRateLimitedError } from './tasks.errors.js';

const WINDOW_SECONDS = 60;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * TASKS_WRITE_RATE_LIMIT: writes under /api/tasks per user per minute, counted before the write runs.
 * In Redis when configured (every instance counts together; if Redis fails, each instance falls back
 * to its own memory), else in memory. Every write answer carries the IETF RateLimit headers.
 */
@Injectable()
export class TaskWritesRateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiterAbstract;
  private readonly policy: string;

  constructor(
    config: AppConfig,
    redis: RedisService,
    private readonly metrics: Metrics,
    private readonly audit: AuditLog,
  ) {
    const points = config.tasks.writeRateLimit;
    const keyPrefix = `${config.authRateLimit.keyPrefix}:task-writes`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
    this.limiter = redis.client
      ? new RateLimiterRedis({
          storeClient: redis.client,
          keyPrefix,
          points,
          duration: WINDOW_SECONDS,
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        })
      : memory;
    this.policy = `"writes";q=${points};w=${WINDOW_SECONDS}`;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    if (READS.has(request.method) || !request.user) return true;
    const reply = http.getResponse<FastifyReply>();
    try {
      const state = await this.limiter.consume(request.user.id, writesIn(request));
      void reply.headers(this.headers(state));
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfterSeconds = secondsUntilReset(error);
      this.metrics.rateLimitRejected('task_writes');
      this.audit.write('tasks.rate_limited', { userId: request.user.id, retryAfterSeconds }, { reqId: request.id, ip: request.ip });
      throw new TaskWritesRateLimitedError(retryAfterSeconds, this.headers(error));
    }
  }

  private headers(state: RateLimiterRes): Record<string, string> {
    return {
      'ratelimit-policy': this.policy,
      ratelimit: `"writes";r=${Math.max(0, state.remainingPoints)};t=${secondsUntilReset(state)}`,
    };
  }
}

/** A bulk request counts one write per id (at most BULK_MAX_IDS), any other write one. */
function writesIn(request: FastifyRequest): number {
  if (!request.routeOptions.url?.endsWith('/bulk')) return 1;
  const ids = (request.body as { ids?: unknown } | undefined)?.ids;
  return Array.isArray(ids) ? Math.min(Math.max(ids.length, 1), BULK_MAX_IDS) : 1;
}

function secondsUntilReset(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}
