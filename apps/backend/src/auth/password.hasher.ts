import { Injectable, Logger, Optional } from '@nestjs/common';
import argon2 from 'argon2';
import { AppConfig } from '../config/app-config.js';
import { HashingBusyError } from './auth.errors.js';
import { Metrics } from '../metrics/metrics.js';
import { BoundedConcurrency } from './bounded-concurrency.js';

/** OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB memory, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Hash of a random secret nobody knows, made with ARGON2_OPTIONS. Logins for unknown emails verify
 * against it so they cost the same hash work as logins for real ones.
 */
const DUMMY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$2ubrTVIbx4DPNuYRBWhuRg$jcSSm7BAX/aMwCO+PzCykYiJHB3J167gdK/Bj1MWHkY';

const REFUSAL_SUMMARY_MS = 10_000;

/**
 * argon2id hashing with bounded concurrency: argon2 runs on libuv's thread pool, which file reads and
 * DNS share, so at most PASSWORD_HASH_CONCURRENCY hashes run at once and PASSWORD_HASH_QUEUE wait;
 * past that, HashingBusyError (503). Passwords are NFKC-normalised (contract v2).
 */
@Injectable()
export class PasswordHasher {
  private readonly logger = new Logger('PasswordHasher');
  private readonly slots: BoundedConcurrency;
  /** Refusals since the last summary line; a timer is pending while it is above zero. */
  private refusals = 0;

  constructor(
    config: AppConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {
    const { concurrency, queue } = config.passwordHashing;
    this.slots = new BoundedConcurrency(concurrency, queue);
  }

  /** True when a hash could neither start nor wait now. */
  get saturated(): boolean {
    return this.slots.saturated;
  }

  /** HashingBusyError at once when no hash could start or wait now (before any other work is spent). */
  assertAvailable(): void {
    if (!this.slots.saturated) return;
    this.refused();
    throw new HashingBusyError();
  }

  /**
   * Counts one request refused for a full queue. A flood refuses thousands a second, so instead of a
   * line per request (HashingBusyError is not logged per request) one warning per 10 s says how many.
   */
  refused(): void {
    this.metrics?.rateLimitRejected('password_hash');
    this.refusals += 1;
    if (this.refusals > 1) return;
    setTimeout(() => {
      this.logger.warn(`password hashing saturated: ${this.refusals} sign-ins or registrations refused with 503 in the last ${REFUSAL_SUMMARY_MS / 1000} s`);
      this.refusals = 0;
    }, REFUSAL_SUMMARY_MS).unref();
  }

  hash(password: string): Promise<string> {
    return this.run(() => argon2.hash(password.normalize('NFKC'), ARGON2_OPTIONS));
  }

  /**
   * Verifies against `hash`, or against the dummy hash when there is no user (always false then).
   * Hashes stored before normalisation were made from the raw password: when the NFKC form does not
   * match and differs from the raw one, the raw form is tried too, so nobody is locked out.
   */
  verify(hash: string | undefined, password: string): Promise<boolean> {
    return this.run(() => this.check(hash, password));
  }

  /**
   * Finds the account and verifies `password` against it (as `verify`) in one hashing slot: a
   * sign-in the full queue refuses is refused before its database lookup, not after it.
   */
  verifyAccount<U extends { passwordHash: string }>(
    find: () => Promise<U | null>,
    password: string,
  ): Promise<{ user: U | null; valid: boolean }> {
    return this.run(async () => {
      const user = await find();
      return { user, valid: await this.check(user?.passwordHash, password) };
    });
  }

  private async check(hash: string | undefined, password: string): Promise<boolean> {
    const normalised = password.normalize('NFKC');
    const matches = (await this.matches(hash, normalised)) || (normalised !== password && (await this.matches(hash, password)));
    return hash !== undefined && matches;
  }

  private async matches(hash: string | undefined, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash ?? DUMMY_HASH, password);
    } catch {
      // A corrupt stored hash must not become a 500 or a way in.
      return false;
    }
  }

  private run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.slots.run(async () => {
      this.metrics?.passwordHashStarted();
      this.metrics?.passwordHashQueueDepth(this.slots.queued);
      try {
        return await work();
      } finally {
        this.metrics?.passwordHashFinished();
      }
    });
    if (result === undefined) {
      this.refused();
      throw new HashingBusyError();
    }
    this.metrics?.passwordHashQueueDepth(this.slots.queued);
    return result;
  }
}
