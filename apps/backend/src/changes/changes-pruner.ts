import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ChangesRepository } from './changes.repository.js';

/** Changes deleted per transaction: one run never holds a long transaction or many row locks. */
export const PRUNE_BATCH = 1000;

/**
 * Deletes changes past CHANGES_RETENTION every CHANGES_PRUNE_INTERVAL. Each batch is its own short
 * transaction under an advisory lock, so with several instances one prunes and the others skip.
 * The timer is unref'd (never keeps the process alive) and stopped, with the run in flight
 * awaited, before the database closes.
 */
@Injectable()
export class ChangesPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ChangesPruner.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly repository: ChangesRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .catch((error: unknown) => this.logger.warn(`Pruning the change log failed: ${String(error)}`))
        .finally(() => {
          this.running = undefined;
        });
    }, this.config.changes.pruneIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run: batches until none is full. `skipped` when another instance holds the lock. */
  async runOnce(): Promise<{ deleted: number; skipped: boolean }> {
    let deleted = 0;
    for (;;) {
      const batch = await this.repository.pruneOnce(this.config.changes.retentionSeconds, PRUNE_BATCH);
      if (!batch.locked) return { deleted, skipped: deleted === 0 };
      deleted += batch.deleted;
      if (batch.deleted < PRUNE_BATCH) return { deleted, skipped: false };
    }
  }
}
