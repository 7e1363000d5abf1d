import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { CHANGES_CHANNEL } from '../changes/change-log.sql.js';
import { AppConfig } from '../config/app-config.js';
import { ChangePumps } from './change-pumps.js';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * LISTENs on PostgreSQL's change channel on a connection of its own (outside the pool), so a commit
 * on any instance wakes the owner's pump here. Notifications are sent only on commit and carry
 * `<userId>:<seq>`. Reconnects with backoff, and after every (re)connect pumps every local user:
 * notifications sent while it was away are lost. The embedded database is one process: its commits
 * all wake the pumps through domain events, so there is nothing to listen to.
 */
@Injectable()
export class ChangeNotifications implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeNotifications.name);
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MIN_MS;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly pumps: ChangePumps,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.databaseUrl) void this.listen(this.config.databaseUrl);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    this.client = client;
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (!this.stopped) this.logger.warn(`Change notifications lost${error ? `: ${error.message}` : ''}; reconnecting`);
      void client.end().catch(() => undefined);
      this.retry(url);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      const [userId, seq] = message.payload.split(':');
      if (userId) this.pumps.wake(userId, Number(seq));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.stopped) return void client.end().catch(() => undefined);
    this.retryMs = RETRY_MIN_MS;
    this.pumps.wakeAll();
  }

  private retry(url: string): void {
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => void this.listen(url), delay);
    this.retryTimer.unref();
  }
}
