import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskEvent, taskSchema, type Task } from '@tasks/schemas';
import { call, registerAccount, type Account } from '../support/http-client.js';
import { PrivatePostgres, PrivateRedis, sleep, startBackend, type BackendProcess } from '../support/processes.js';

/** Two backend instances sharing one PostgreSQL and one Redis; Redis is stopped and started under them. */
describe('Redis faults with two instances', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let a: BackendProcess;
  let b: BackendProcess;
  let account: Account;
  let socket: Socket;
  const received: Task[] = [];

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([PrivatePostgres.create(), PrivateRedis.create()]);
    const database = await postgres.createDatabase();
    const env = { AUTH_RATE_LIMIT_REGISTER: '1000' };
    a = await startBackend({ databaseUrl: database.url, redisUrl: redis.url, env });
    b = await startBackend({ databaseUrl: database.url, redisUrl: redis.url, env });
    account = await registerAccount(a.url, 'redis');
    // The client listens on instance B; all writes go to instance A.
    socket = io(`${b.url}/tasks`, { auth: { token: account.token }, transports: ['websocket'], reconnectionDelay: 200 });
    socket.on(TaskEvent.Created, (task: Task) => received.push(task));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  }, 180_000);

  afterAll(async () => {
    socket?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.dispose();
    await postgres?.dispose();
  });

  async function createOnA(title: string) {
    return call(a.url, 'POST', '/api/tasks', { token: account.token, body: { title } });
  }

  /** Creates tasks on A until one arrives at B's socket (the adapter may need a moment to reconnect). */
  async function waitForCrossInstanceEvent(prefix: string): Promise<number> {
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; ; attempt += 1) {
      const title = `${prefix}-${attempt}`;
      expect((await createOnA(title)).status).toBe(201);
      for (let i = 0; i < 10; i += 1) {
        if (received.some((task) => task.title === title)) return attempt;
        await sleep(100);
      }
      if (Date.now() > deadline) throw new Error('events did not flow again');
    }
  }

  async function readiness(backend: BackendProcess) {
    return call(backend.url, 'GET', '/api/health/ready');
  }

  it('should deliver an event written on one instance to a socket on the other when Redis runs', async () => {
    expect((await createOnA('before')).status).toBe(201);
    await expect.poll(() => received.map((task) => task.title), { timeout: 10_000 }).toContain('before');
    expect(taskSchema.safeParse(received.find((task) => task.title === 'before')).success).toBe(true);
  });

  it('should keep REST working, report Redis down in readiness and deliver events again when Redis stops and starts', async () => {
    await redis.stop();
    await sleep(500);

    // REST keeps working on both instances while Redis is gone.
    const writes = await Promise.all([1, 2, 3, 4, 5].map((n) => createOnA(`during-${n}`)));
    expect(writes.map((w) => w.status)).toEqual([201, 201, 201, 201, 201]);
    const list = await call(b.url, 'GET', '/api/tasks?limit=100', { token: account.token });
    expect(list.status).toBe(200);
    expect((list.body as { items: Task[] }).items.map((t) => t.title)).toEqual(expect.arrayContaining(['during-1', 'during-5']));
    // Sign-in works too (rate limits fall back to each instance's memory).
    const login = await call(a.url, 'POST', '/api/auth/login', { body: { email: account.email, password: account.password } });
    expect(login.status).toBe(200);
    const newcomer = await registerAccount(b.url, 'redis-outage');
    expect(newcomer.token).toBeTruthy();

    for (const backend of [a, b]) {
      const ready = await readiness(backend);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', checks: { database: 'up', redis: 'down' } });
      expect((await call(backend.url, 'GET', '/api/health/live')).status).toBe(200);
    }

    await redis.start();
    for (const backend of [a, b]) {
      await expect.poll(async () => (await readiness(backend)).status, { timeout: 20_000, interval: 250 }).toBe(200);
    }
    const attempts = await waitForCrossInstanceEvent('after');
    // Once flowing, every event arrives.
    for (const n of [1, 2, 3]) expect((await createOnA(`steady-${n}`)).status).toBe(201);
    await expect.poll(() => received.map((task) => task.title), { timeout: 10_000 }).toEqual(expect.arrayContaining(['steady-1', 'steady-2', 'steady-3']));
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
    console.info('[reliability] redis restart', JSON.stringify({ writesDuringOutage: writes.length, attemptsUntilEventsFlowed: attempts + 1, eventsReceived: received.length }));
  }, 90_000);
});
