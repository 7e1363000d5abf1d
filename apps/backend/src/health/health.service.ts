import { Injectable } from '@nestjs/common';
import type { Readiness } from './health.schema.js';
import { HealthRepository } from './health.repository.js';
import { RedisService } from '../redis/redis.service.js';

@Injectable()
export class HealthService {
  constructor(
    private readonly repository: HealthRepository,
    private readonly redis: RedisService,
  ) {}

  async readiness(): Promise<Readiness> {
    const [database, redis] = await Promise.all([
      this.repository.databaseAnswers(),
      this.redis.enabled ? this.redis.ping() : Promise.resolve(undefined),
    ]);
    const checks: Readiness['checks'] = { database: database ? 'up' : 'down' };
    if (redis !== undefined) checks.redis = redis ? 'up' : 'down';
    const ready = Object.values(checks).every((state) => state === 'up');
    return { status: ready ? 'ok' : 'unavailable', checks };
  }
}
