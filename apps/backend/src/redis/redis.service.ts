import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { instrumentRedis } from '../tracing/redis-tracing.js';

/**
 * The shared Redis connection when REDIS_URL is set (rate limits, Socket.IO adapter);
 * `client` is undefined otherwise and callers fall back to in-process state.
 * Redis outages never throw out of here: ioredis reconnects on its own.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis | undefined;
  private readonly logger = new Logger('Redis');
  private lastError = '';

  constructor(config: AppConfig) {
    if (!config.redisUrl) return;
    this.client = new Redis(config.redisUrl, {
      lazyConnect: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    instrumentRedis(this.client);
    this.client.on('error', (error: Error) => {
      // One line per distinct failure, not one per reconnect attempt.
      if (error.message !== this.lastError) this.logger.warn(`Redis error: ${error.message}`);
      this.lastError = error.message;
    });
    this.client.on('ready', () => {
      if (this.lastError) this.logger.log('Redis connection restored');
      this.lastError = '';
    });
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** True when Redis answers PING within a second; always true when Redis is not configured. */
  async ping(): Promise<boolean> {
    if (!this.client) return true;
    if (this.client.status !== 'ready') return false;
    try {
      const answer = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1_000).unref()),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    await this.client.quit().catch(() => this.client?.disconnect());
  }
}
