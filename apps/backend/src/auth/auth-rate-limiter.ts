import { Injectable, Logger } from '@nestjs/common';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { RedisService } from '../redis/redis.service.js';
import { TooManyAttemptsError } from './auth.errors.js';

const LOGIN_WINDOW_SECONDS = 15 * 60;
const REGISTER_WINDOW_SECONDS = 60 * 60;

/**
 * Brute-force limits: failed logins per (client address, email) and registrations per client address.
 * Shared by every instance through Redis when it is configured; if Redis fails, each instance falls
 * back to its own memory (insurance limiter) rather than refusing logins.
 */
@Injectable()
export class AuthRateLimiter {
  private readonly logger = new Logger('AuthRateLimiter');
  private readonly failedLogins: RateLimiterAbstract;
  private readonly registrations: RateLimiterAbstract;

  constructor(
    private readonly config: AppConfig,
    redis: RedisService,
    private readonly metrics: Metrics,
  ) {
    const { login, register, keyPrefix } = config.authRateLimit;
    this.failedLogins = this.limiter(redis, `${keyPrefix}:login`, login, LOGIN_WINDOW_SECONDS);
    this.registrations = this.limiter(redis, `${keyPrefix}:register`, register, REGISTER_WINDOW_SECONDS);
  }

  private limiter(redis: RedisService, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!redis.client) return memory;
    return new RateLimiterRedis({
      storeClient: redis.client,
      keyPrefix,
      points,
      duration,
      // Don't queue behind a reconnecting client: go straight to the in-memory insurance.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }

  /** 429 when this address has used up its failed logins for this email. */
  async assertLoginAllowed(ip: string, email: string): Promise<void> {
    const state = await this.failedLogins.get(loginKey(ip, email));
    if (state && state.consumedPoints >= this.config.authRateLimit.login) {
      this.metrics.rateLimitRejected('auth_login');
      throw new TooManyAttemptsError(retryAfterSeconds(state), 'failed logins');
    }
  }

  async recordLoginFailure(ip: string, email: string): Promise<void> {
    try {
      await this.failedLogins.consume(loginKey(ip, email));
    } catch (error) {
      // The limit was reached by this very failure; the next attempt gets the 429.
      if (!(error instanceof RateLimiterRes)) throw error;
    }
  }

  async recordLoginSuccess(ip: string, email: string): Promise<void> {
    await this.failedLogins.delete(loginKey(ip, email)).catch((error: unknown) => {
      this.logger.warn(`Could not reset the failed-login counter: ${String(error)}`);
    });
  }

  /** Counts one registration for this address; 429 past the limit. */
  async consumeRegistration(ip: string): Promise<void> {
    try {
      await this.registrations.consume(ip);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        this.metrics.rateLimitRejected('auth_register');
        throw new TooManyAttemptsError(retryAfterSeconds(error), 'registrations');
      }
      throw error;
    }
  }
}

function loginKey(ip: string, email: string): string {
  return `${ip}|${email}`;
}

function retryAfterSeconds(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}
