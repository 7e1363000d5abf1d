import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { IdempotencyRepository } from './idempotency.repository.js';

/** Advisory lock key: one instance prunes per round, the others skip it. */
const PRUNE_LOCK_KEY = 4_104_003;
const BATCH = 1000;
/** Batches per round: a backlog is worked off over several rounds, never in one long burst. */
const MAX_BATCHES = 20;
const MAX_INTERVAL_MS = 60_000;

/** Deletes expired idempotency keys now and then (expired ones are already ignored by every claim). */
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdempotencyPruner');
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly repository: IdempotencyRepository,
    config: AppConfig,
  ) {
    this.intervalMs = Math.min(MAX_INTERVAL_MS, config.tasks.idempotencyTtlSeconds * 1000);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      void this.pruneNow().catch((error: unknown) => this.logger.warn(`Pruning expired idempotency keys failed: ${String(error)}`));
    }, this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One round: the rows deleted (0 when another instance holds the lock). */
  pruneNow(): Promise<number> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const deleted = await this.repository.pruneExpired(PRUNE_LOCK_KEY, BATCH);
      if (deleted === null) return total;
      total += deleted;
      if (deleted < BATCH) return total;
    }
    return total;
  }
}
