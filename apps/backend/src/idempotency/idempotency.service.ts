import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { SqlExecutor } from '../database/direct-sql.js';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from './idempotency.errors.js';
import { type Claim, IdempotencyRepository, type StoredAnswer } from './idempotency.repository.js';

/** Beyond TASKS_API_TIMEOUT: a request's COMMIT may start just before its deadline and take a while. */
const LEASE_MARGIN_SECONDS = 60;
const CLAIM_ATTEMPTS = 3;

export type ClaimOutcome = { kind: 'claimed'; held: HeldKey } | { kind: 'replay'; answer: StoredAnswer };

/** A key this request holds until its answer is stored (or released). */
export interface HeldKey {
  readonly userId: string;
  readonly key: string;
  readonly owner: string;
}

/**
 * Idempotency-Key rules: claim a key (or find its answer), keep only final answers, release it
 * after a 5xx. Answers stored inside the write transaction (`completeIn`) commit with the change.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('Idempotency');
  private readonly leaseSeconds: number;
  private readonly ttlSeconds: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly repository: IdempotencyRepository,
    config: AppConfig,
  ) {
    this.timeoutMs = config.tasks.timeoutMs;
    this.leaseSeconds = Math.ceil(config.tasks.timeoutMs / 1000) + LEASE_MARGIN_SECONDS;
    this.ttlSeconds = config.tasks.idempotencyTtlSeconds;
  }

  /** Throws 422 (another request used the key) or 409 (its first request is still running). */
  async claim(userId: string, key: string, fingerprint: string): Promise<ClaimOutcome> {
    const claim: Claim = { userId, key, fingerprint, owner: randomUUID(), leaseSeconds: this.leaseSeconds, ttlSeconds: this.ttlSeconds };
    const held: HeldKey = { userId, key, owner: claim.owner };
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (await this.repository.insert(claim)) return { kind: 'claimed', held };
      const row = await this.repository.find(userId, key);
      if (row && row.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      if (row?.answer) return { kind: 'replay', answer: row.answer };
      if (row && row.lockedForMs > 0) throw this.inProgress(row.lockedForMs);
      // Expired, or running under a lease its owner let lapse (it died: nothing of it committed).
      if (await this.repository.takeOver(claim)) return { kind: 'claimed', held };
    }
    throw this.inProgress(this.timeoutMs);
  }

  /** In the write transaction: the answer commits with the change; throws (rolls back) if the key was taken over. */
  async completeIn(tx: SqlExecutor, held: HeldKey, answer: StoredAnswer): Promise<void> {
    if (!(await this.repository.complete(held.userId, held.key, held.owner, answer, tx))) {
      throw new IdempotencyKeyInProgressError(1);
    }
  }

  /** After the answer is known: keep a final one, release the key after a 5xx or 429. */
  async finish(held: HeldKey, answer: StoredAnswer): Promise<void> {
    try {
      if (answer.status >= 500 || answer.status === 429) await this.repository.release(held.userId, held.key, held.owner);
      else await this.repository.complete(held.userId, held.key, held.owner, answer);
    } catch (error) {
      // The answer still goes out; the key stays running until its lease lapses, then runs again.
      this.logger.warn(`Could not store the answer of an Idempotency-Key: ${String(error)}`);
    }
  }

  private inProgress(lockedForMs: number): IdempotencyKeyInProgressError {
    return new IdempotencyKeyInProgressError(Math.max(1, Math.ceil(Math.min(lockedForMs, this.timeoutMs) / 1000)));
  }
}
