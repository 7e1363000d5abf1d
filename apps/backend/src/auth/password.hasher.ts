import { Injectable, Optional } from '@nestjs/common';
import argon2 from 'argon2';
import { Metrics } from '../metrics/metrics.js';

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

@Injectable()
export class PasswordHasher {
  constructor(@Optional() private readonly metrics?: Metrics) {}

  async hash(password: string): Promise<string> {
    this.metrics?.passwordHashStarted();
    try {
      return await argon2.hash(password, ARGON2_OPTIONS);
    } finally {
      this.metrics?.passwordHashFinished();
    }
  }

  /** Verifies against `hash`, or against the dummy hash when there is no user (always false then). */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    this.metrics?.passwordHashStarted();
    try {
      const matches = await argon2.verify(hash ?? DUMMY_HASH, password);
      return hash !== undefined && matches;
    } catch {
      // A corrupt stored hash must not become a 500 or a way in.
      return false;
    } finally {
      this.metrics?.passwordHashFinished();
    }
  }
}
