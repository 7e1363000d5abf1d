import { Injectable, Logger } from '@nestjs/common';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { RateLimiterName } from '../common/audit/audit.events.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { RedisService } from '../redis/redis.service.js';
import { TooManyAttemptsError } from './auth.errors.js';

const LOGIN_WINDOW_SECONDS = 15 * 60;
const REGISTER_WINDOW_SECONDS = 60 * 60;

interface Limit {
  readonly name: RateLimiterName;
  readonly keyKind: 'address' | 'address_email';
  readonly what: string;
  readonly points: number;
  readonly windowSeconds: number;
  readonly limiter: RateLimiterAbstract;
}

/** A login attempt already counted against both login limits; settle it once the password was checked. */
export interface LoginAttempt {
  /** RateLimit-Policy / RateLimit headers (draft-ietf-httpapi-ratelimit-headers) for the answer. */
  readonly headers: Readonly<Record<string, string>>;
  /** Right password: the address gets its point back and the address+email count starts over. */
  succeeded(): Promise<void>;
  /** Not checked at all (hashing saturated, database down): both points back. */
  refund(): Promise<void>;
}

/**
 * Brute-force limits: failed logins per (client address, email) and per client address, registrations
 * per client address. An attempt is counted BEFORE the password is checked (and refunded on success),
 * so concurrent attempts cannot pass a limit. Shared by every instance through Redis when configured;
 * if Redis fails, each instance falls back to its own memory (insurance limiter) rather than refusing.
 */
@Injectable()
export class AuthRateLimiter {
  private readonly logger = new Logger('AuthRateLimiter');
  private readonly loginsPerEmail: Limit;
  private readonly loginsPerAddress: Limit;
  private readonly registrations: Limit;

  constructor(
    config: AppConfig,
    redis: RedisService,
    private readonly metrics: Metrics,
  ) {
    const { login, loginPerAddress, register, keyPrefix } = config.authRateLimit;
    const limit = (name: RateLimiterName, keyKind: Limit['keyKind'], what: string, points: number, windowSeconds: number): Limit => ({
      name,
      keyKind,
      what,
      points,
      windowSeconds,
      limiter: this.limiter(redis, `${keyPrefix}:${name}`, points, windowSeconds),
    });
    this.loginsPerEmail = limit('login', 'address_email', 'failed logins', login, LOGIN_WINDOW_SECONDS);
    this.loginsPerAddress = limit('login_address', 'address', 'failed logins from this address', loginPerAddress, LOGIN_WINDOW_SECONDS);
    this.registrations = limit('register', 'address', 'registrations', register, REGISTER_WINDOW_SECONDS);
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

  /** Counts one login attempt against the address and the address+email limits; 429 past either. */
  async beginLogin(ip: string, email: string): Promise<LoginAttempt> {
    const emailKey = loginKey(ip, email);
    const byAddress = await this.consume(this.loginsPerAddress, ip, [this.loginsPerEmail, this.loginsPerAddress]);
    let byEmail: RateLimiterRes;
    try {
      byEmail = await this.consume(this.loginsPerEmail, emailKey, [this.loginsPerEmail, this.loginsPerAddress]);
    } catch (error) {
      // Refused before any check: this attempt is no failed login of the address.
      await this.giveBack(this.loginsPerAddress, ip);
      throw error;
    }
    return {
      headers: rateLimitHeaders([
        [this.loginsPerEmail, byEmail],
        [this.loginsPerAddress, byAddress],
      ]),
      succeeded: async () => {
        await this.giveBack(this.loginsPerAddress, ip);
        await this.loginsPerEmail.limiter.delete(emailKey).catch((error: unknown) => {
          this.logger.warn(`Could not reset the failed-login counter: ${String(error)}`);
        });
      },
      refund: async () => {
        await this.giveBack(this.loginsPerAddress, ip);
        await this.giveBack(this.loginsPerEmail, emailKey);
      },
    };
  }

  /** Counts one registration for this address; 429 past the limit. Answers the RateLimit headers. */
  async consumeRegistration(ip: string): Promise<Readonly<Record<string, string>>> {
    const state = await this.consume(this.registrations, ip, [this.registrations]);
    return rateLimitHeaders([[this.registrations, state]]);
  }

  /** A registration that was refused for another reason (hashing saturated) gives its point back. */
  async refundRegistration(ip: string): Promise<void> {
    await this.giveBack(this.registrations, ip);
  }

  private async consume(limit: Limit, key: string, policies: readonly Limit[]): Promise<RateLimiterRes> {
    try {
      return await limit.limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      this.metrics.rateLimitRejected(`auth_${limit.name}`);
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      const headers = {
        'ratelimit-policy': policies.map(policyItem).join(', '),
        ratelimit: `"${limit.name}";r=0;t=${retryAfter}`,
      };
      throw new TooManyAttemptsError(retryAfter, limit.what, headers, { limiter: limit.name, keyKind: limit.keyKind });
    }
  }

  private async giveBack(limit: Limit, key: string): Promise<void> {
    await limit.limiter.reward(key, 1).catch((error: unknown) => {
      this.logger.warn(`Could not refund a ${limit.name} attempt: ${String(error)}`);
    });
  }
}

function loginKey(ip: string, email: string): string {
  return `${ip}|${email}`;
}

function policyItem(limit: Limit): string {
  return `"${limit.name}";q=${limit.points};w=${limit.windowSeconds}`;
}

/** `RateLimit-Policy` lists every policy; `RateLimit` each one's remaining quota and reset time. */
function rateLimitHeaders(states: readonly (readonly [Limit, RateLimiterRes])[]): Record<string, string> {
  return {
    'ratelimit-policy': states.map(([limit]) => policyItem(limit)).join(', '),
    ratelimit: states
      .map(([limit, state]) => `"${limit.name}";r=${Math.max(0, state.remainingPoints)};t=${Math.max(0, Math.ceil(state.msBeforeNext / 1000))}`)
      .join(', '),
  };
}
