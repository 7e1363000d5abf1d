import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { type Emitted, OnDomainEvent } from '../common/events/domain-events.js';
import { ChangePumps } from './change-pumps.js';

/** PostgreSQL channel on which instances tell each other of their commits: `<userId>:<seq>,…`. */
export const CHANGES_CHANNEL = 'task_changes';
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** A notification's payload must stay under PostgreSQL's 8,000 bytes. */
const PAYLOAD_MAX_BYTES = 7_900;
/**
 * Shortest time between two announcements of an instance: under load one carries every change of
 * that time (each NOTIFY is a statement for the database), so at most 100 a second whatever the
 * write rate; an idle instance announces at once.
 */
const ANNOUNCE_GAP_MS = 10;

/**
 * Tells the other instances of this instance's commits and wakes the local pumps on theirs, over
 * PostgreSQL's change channel on a connection of its own (outside the pool). A write transaction
 * never NOTIFYs itself: PostgreSQL serialises the commits of notifying transactions, fsync included,
 * on one cluster-wide lock. Instead, after commit, the newest seq of each user written here is sent
 * in one NOTIFY at a time, without waiting for its flush (a lost wake-up only delays delivery to
 * the sweep). Reconnects with backoff, and after every (re)connect pumps every local user:
 * notifications sent while it was away are lost. The embedded database is one process: its commits
 * all wake the pumps through domain events, so there is nothing to tell or listen to.
 */
@Injectable()
export class ChangeNotifications implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeNotifications.name);
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MIN_MS;
  private stopped = false;
  private ready = false;
  /** Per user, the newest seq committed here and not yet announced. */
  private readonly unannounced = new Map<string, number>();
  private announcing = false;
  private lastAnnouncedAt = -Infinity;

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

  @OnDomainEvent('task.created')
  taskCreated({ userId, seq }: Emitted<'task.created'>): void {
    this.announce(userId, seq);
  }

  @OnDomainEvent('task.updated')
  taskUpdated({ userId, seq }: Emitted<'task.updated'>): void {
    this.announce(userId, seq);
  }

  @OnDomainEvent('task.deleted')
  taskDeleted({ userId, seq }: Emitted<'task.deleted'>): void {
    this.announce(userId, seq);
  }

  /** Queues a committed change for the other instances; one NOTIFY in flight carries all queued. */
  private announce(userId: string, seq: number): void {
    if (!this.ready) return;
    if ((this.unannounced.get(userId) ?? 0) < seq) this.unannounced.set(userId, seq);
    if (!this.announcing) void this.sendAnnouncements();
  }

  private async sendAnnouncements(): Promise<void> {
    this.announcing = true;
    try {
      while (this.ready && this.client && this.unannounced.size > 0) {
        const wait = this.lastAnnouncedAt + ANNOUNCE_GAP_MS - performance.now();
        if (wait > 0) await sleep(wait);
        if (!this.ready || !this.client) return;
        this.lastAnnouncedAt = performance.now();
        const payloads = packed([...this.unannounced].map(([userId, seq]) => `${userId}:${seq}`));
        this.unannounced.clear();
        await this.client.query(`SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload`, [CHANGES_CHANNEL, payloads]);
      }
    } catch (error) {
      // The other instances' sweeps deliver what this announcement would have woken them for.
      this.logger.warn(`Could not announce changes: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.announcing = false;
    }
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    this.client = client;
    let lost = false;
    let ownPid: number | undefined;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      this.ready = false;
      this.unannounced.clear();
      if (!this.stopped) this.logger.warn(`Change notifications lost${error ? `: ${error.message}` : ''}; reconnecting`);
      void client.end().catch(() => undefined);
      this.retry(url);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      // Its own announcements too come back: their pumps were woken at commit.
      if (message.channel !== CHANGES_CHANNEL || !message.payload || message.processId === ownPid) return;
      // Anyone who can connect may NOTIFY on the channel: only well-formed items wake a pump.
      for (const announced of message.payload.split(',')) {
        const [userId, seq, ...rest] = announced.split(':');
        const position = Number(seq);
        if (userId && rest.length === 0 && Number.isSafeInteger(position) && position > 0) this.pumps.wake(userId, position);
      }
    });
    try {
      await client.connect();
      // Announcements are hints (the log is the source): their commit need not wait for the disk.
      await client.query(`SET synchronous_commit = off`);
      ownPid = (await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0]?.pid;
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.stopped) return void client.end().catch(() => undefined);
    this.retryMs = RETRY_MIN_MS;
    this.ready = true;
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

/** `userId:seq` items joined by commas into as few payloads as fit PostgreSQL's limit. */
function packed(items: string[]): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const item of items) {
    if (current && current.length + 1 + item.length > PAYLOAD_MAX_BYTES) {
      payloads.push(current);
      current = '';
    }
    current = current ? `${current},${item}` : item;
  }
  if (current) payloads.push(current);
  return payloads;
}
