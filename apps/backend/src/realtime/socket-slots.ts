import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Result } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { RedisService } from '../redis/redis.service.js';
import type { TasksNamespace } from './task-socket.js';

/** Server time in ms, so instances with skewed clocks agree on when a place lapses. */
const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] the user's places (a sorted set: socket id → lapse time); ARGV socket id, limit, ttl ms.
 * Drops lapsed places, then takes one if the socket holds none and fewer than the limit are held.
 */
const ACQUIRE = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * KEYS[1] the user's places; ARGV ttl ms, then the socket ids this instance holds. A plain ZADD, so
 * places lost with Redis's data (a restart) or taken while it was down count again.
 */
const RENEW = `${NOW_MS}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    tasksSocketSlotAcquire(key: string, socketId: string, limit: number, ttlMs: number): Result<number, Context>;
    tasksSocketSlotRenew(key: string, ttlMs: number, ...socketIds: string[]): Result<number, Context>;
  }
}

/** What the shared count answers; `unshared` when there is none (no Redis) or it cannot be reached. */
export type SlotAnswer = 'admitted' | 'full' | 'unshared';

/** Longest wait for Redis at admission before counting on this instance alone. */
const ACQUIRE_TIMEOUT_MS = 1_000;

/**
 * SOCKETS_PER_USER across instances. With Redis, each admitted socket holds a place in its user's
 * sorted set, taken atomically by a script (drop lapsed, count, add if below the limit) and given
 * back on disconnect. Every instance renews its connected sockets' places each heartbeat; a place
 * lapses after three heartbeats unrenewed, so the sockets of a killed instance stop counting within
 * that time. Without Redis, or while it cannot be reached, the caller counts on its own instance,
 * as the rate limiters fall back to memory: a Redis outage never locks users out of live events.
 */
@Injectable()
export class SocketSlots implements OnModuleDestroy {
  private readonly logger = new Logger(SocketSlots.name);
  private readonly limit: number;
  private readonly ttlMs: number;
  private readonly heartbeatMs: number;
  private readonly keyPrefix: string;
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    private readonly redis: RedisService,
    config: AppConfig,
  ) {
    this.limit = config.realtime.socketsPerUser;
    this.ttlMs = config.realtime.socketSlotTtlMs;
    this.heartbeatMs = config.realtime.socketSlotHeartbeatMs;
    this.keyPrefix = `${config.socketIoKeyPrefix}:sockets:`;
    redis.client?.defineCommand('tasksSocketSlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    redis.client?.defineCommand('tasksSocketSlotRenew', { numberOfKeys: 1, lua: RENEW });
  }

  /** Starts renewing the places of the namespace's connected sockets. */
  attach(namespace: TasksNamespace): void {
    if (!this.redis.client || this.timer) return;
    this.timer = setInterval(() => this.renew(namespace), this.heartbeatMs);
    this.timer.unref();
  }

  /** Takes a place for the socket (keeps it if held already, as a recovered socket may). */
  async acquire(userId: string, socketId: string): Promise<SlotAnswer> {
    const client = this.redis.client;
    if (!client) return 'unshared';
    if (client.status !== 'ready') return this.unreachable('not connected');
    let timer: NodeJS.Timeout | undefined;
    try {
      const taken = await Promise.race([
        client.tasksSocketSlotAcquire(this.key(userId), socketId, this.limit, this.ttlMs),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), ACQUIRE_TIMEOUT_MS);
        }),
      ]);
      this.warned = false;
      return taken === 1 ? 'admitted' : 'full';
    } catch (error) {
      return this.unreachable(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Gives the socket's place back; a failure leaves it to lapse. */
  release(userId: string, socketId: string): void {
    const client = this.redis.client;
    if (!client || client.status !== 'ready') return;
    client.zrem(this.key(userId), socketId).catch((error: unknown) => {
      this.logger.warn(`Could not give back a socket place (it lapses on its own): ${String(error)}`);
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private renew(namespace: TasksNamespace): void {
    const client = this.redis.client;
    if (!client || client.status !== 'ready') return;
    const byUser = new Map<string, string[]>();
    for (const socket of namespace.sockets.values()) {
      const userId = socket.data.userId;
      if (typeof userId !== 'string') continue;
      const ids = byUser.get(userId);
      if (ids) ids.push(socket.id);
      else byUser.set(userId, [socket.id]);
    }
    if (byUser.size === 0) return;
    const pipeline = client.pipeline();
    for (const [userId, ids] of byUser) pipeline.tasksSocketSlotRenew(this.key(userId), this.ttlMs, ...ids);
    pipeline.exec().then(
      (results) => {
        const failed = results?.find(([error]) => error);
        if (failed) this.logger.warn(`Could not renew socket places: ${String(failed[0])}`);
      },
      (error: unknown) => this.logger.warn(`Could not renew socket places: ${String(error)}`),
    );
  }

  private unreachable(reason: string): SlotAnswer {
    if (!this.warned) this.logger.warn(`Socket places not shared (Redis: ${reason}); counting on this instance`);
    this.warned = true;
    return 'unshared';
  }

  private key(userId: string): string {
    return `${this.keyPrefix}${userId}`;
  }
}
