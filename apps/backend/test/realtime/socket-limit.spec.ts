import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SOCKET_TOO_MANY_CONNECTIONS } from '@tasks/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, usingPostgres } from '../support/databases.js';
import { registerAccount, type Account } from '../support/http-client.js';
import { PrivatePostgres, PrivateRedis, startBackend, type BackendProcess } from '../support/processes.js';
import { connect, connected, disconnection, tasksClient, type TasksClient } from './socket-client.js';

const LIMIT = 3;
/** Places lapse after three heartbeats unrenewed: 3 s here. */
const HEARTBEAT_SECONDS = 1;

const outcomeOf = (socket: TasksClient): Promise<string> =>
  connect(socket).then(
    () => 'connected',
    (error: Error) => error.message,
  );

/** SOCKETS_PER_USER with two backend processes sharing PostgreSQL and Redis: one count for both. */
describe('SOCKETS_PER_USER across instances', () => {
  let redis: PrivateRedis;
  let privatePg: PrivatePostgres | undefined;
  let dropDatabase: () => Promise<void> = async () => undefined;
  let databaseUrl: string;
  let env: Record<string, string>;
  let a: BackendProcess;
  let b: BackendProcess;
  const clients: TasksClient[] = [];
  const track = (socket: TasksClient): TasksClient => (clients.push(socket), socket);
  const attempt = (base: string, user: Account): Promise<string> => outcomeOf(track(tasksClient(base, user.token)));

  beforeAll(async () => {
    redis = await PrivateRedis.create();
    if (usingPostgres) {
      const db = await createPostgresDatabase('tasks_sockets');
      databaseUrl = db.url;
      dropDatabase = db.drop;
    } else {
      privatePg = await PrivatePostgres.create();
      databaseUrl = (await privatePg.createDatabase()).url;
    }
    env = {
      SOCKET_IO_KEY_PREFIX: `test-sockets-${randomUUID()}`,
      AUTH_RATE_LIMIT_REGISTER: '1000',
      SOCKETS_PER_USER: String(LIMIT),
      SOCKETS_PER_USER_HEARTBEAT: String(HEARTBEAT_SECONDS),
    };
    [a, b] = await Promise.all([
      startBackend({ databaseUrl, redisUrl: redis.url, env }),
      startBackend({ databaseUrl, redisUrl: redis.url, env }),
    ]);
  }, 180_000);
  afterEach(() => {
    for (const socket of clients.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.dispose();
    await dropDatabase();
    await privatePg?.dispose();
  }, 60_000);

  it('should admit the limit in total across both instances, refuse one more on either, and admit one again after a disconnect', async () => {
    const user = await registerAccount(a.url, 'sockets');
    const held = [await connected(a.url, user.token), await connected(a.url, user.token), await connected(b.url, user.token)];
    clients.push(...held);

    const refusedOnA = track(tasksClient(a.url, user.token));
    const error = await connect(refusedOnA).catch((e: unknown) => e as Error & { data?: { detail?: string } });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(SOCKET_TOO_MANY_CONNECTIONS);
    expect((error as { data?: { detail?: string } }).data?.detail).toBe(`At most ${LIMIT} connections per user are allowed.`);
    expect(await attempt(b.url, user)).toBe(SOCKET_TOO_MANY_CONNECTIONS);
    // Another user is not affected.
    expect(await attempt(b.url, await registerAccount(a.url, 'sockets-other'))).toBe('connected');

    // A socket on A goes: one more is admitted, on B (the server sees the disconnect a moment later).
    const gone = disconnection(held[0]!);
    held[0]!.disconnect();
    await gone;
    await expect.poll(() => attempt(b.url, user), { timeout: 10_000, interval: 100 }).toBe('connected');
    expect(await attempt(a.url, user)).toBe(SOCKET_TOO_MANY_CONNECTIONS);
  });

  it('should admit exactly the limit when 50 handshakes of one user race across both instances', async () => {
    const user = await registerAccount(a.url, 'sockets-flood');
    const flood = Array.from({ length: 50 }, (_, i) => track(tasksClient(i % 2 === 0 ? a.url : b.url, user.token)));
    const outcomes = await Promise.all(flood.map(outcomeOf));
    expect(outcomes.filter((o) => o === 'connected')).toHaveLength(LIMIT);
    expect(outcomes.filter((o) => o === SOCKET_TOO_MANY_CONNECTIONS)).toHaveLength(50 - LIMIT);
  });

  it('should stop counting the sockets of a SIGKILLed instance within three heartbeats', async () => {
    const c = await startBackend({ databaseUrl, redisUrl: redis.url, env });
    const user = await registerAccount(a.url, 'sockets-killed');
    const onC = await Promise.all(Array.from({ length: LIMIT }, () => connected(c.url, user.token)));
    clients.push(...onC);
    expect(await attempt(a.url, user)).toBe(SOCKET_TOO_MANY_CONNECTIONS);

    const killedAt = Date.now();
    c.kill();
    await c.exited;
    // Nothing gave the places back: they lapse once C stops renewing them, each at its own time
    // (C may have died before renewing places taken moments apart), so take them back one by one.
    const admitted: string[] = [];
    await expect
      .poll(
        async () => {
          const base = admitted.length % 2 === 0 ? a.url : b.url;
          if ((await attempt(base, user)) === 'connected') admitted.push(base);
          return admitted.length;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(LIMIT);
    const freedAfterMs = Date.now() - killedAt;
    expect(admitted).toEqual([a.url, b.url, a.url]);
    expect(await attempt(b.url, user)).toBe(SOCKET_TOO_MANY_CONNECTIONS);
    expect(await attempt(a.url, user)).toBe(SOCKET_TOO_MANY_CONNECTIONS);
    const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.info('[realtime] killed instance places freed', JSON.stringify({ freedAfterMs, boundMs: 3 * HEARTBEAT_SECONDS * 1000, loadavg }));
  }, 90_000);

  it('should give the places back when an instance shuts down gracefully, long before they would lapse', async () => {
    // Its places would lapse only after 30 minutes: admission again proves they were given back.
    const d = await startBackend({ databaseUrl, redisUrl: redis.url, env: { ...env, SOCKETS_PER_USER_HEARTBEAT: '10m' } });
    const user = await registerAccount(a.url, 'sockets-stopped');
    clients.push(...(await Promise.all(Array.from({ length: LIMIT }, () => connected(d.url, user.token)))));
    expect(await attempt(a.url, user)).toBe(SOCKET_TOO_MANY_CONNECTIONS);

    await d.stop();
    await expect.poll(() => attempt(a.url, user), { timeout: 20_000, interval: 200 }).toBe('connected');
  }, 90_000);

  it('should count on each instance alone while Redis is down, so live events stay reachable', async () => {
    const user = await registerAccount(a.url, 'sockets-redis-down');
    await redis.stop();
    const onA = await Promise.all(Array.from({ length: LIMIT }, () => attempt(a.url, user)));
    expect(onA).toEqual(Array.from({ length: LIMIT }, () => 'connected'));
    expect(await attempt(a.url, user)).toBe(SOCKET_TOO_MANY_CONNECTIONS);
    expect(await attempt(b.url, user)).toBe('connected');
  }, 60_000);
});
