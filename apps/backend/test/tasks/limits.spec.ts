import { SOCKET_TOO_MANY_CONNECTIONS, type Task } from '@tasks/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, connected, disconnection, refusal, tasksClient, type TasksClient } from '../realtime/socket-client.js';
import { newTask, newUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** 'connected', or the connect_error's message. */
const outcomeOf = (socket: TasksClient): Promise<string> =>
  connect(socket).then(
    () => 'connected',
    (error: Error) => error.message,
  );

describe('TASKS_MAX_PER_USER', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_MAX_PER_USER: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should refuse one more create with 403 quota-exceeded, create nothing, and allow it again after a delete', async () => {
    const user = await newUser(t);
    const other = await newUser(t);
    const made: Task[] = [];
    for (let i = 0; i < 3; i++) made.push(await newTask(t, user));
    const refused = await api(t, user, 'POST', '/api/tasks', { body: { title: 'one too many' } });
    expect(expectProblem(refused, 403).type).toBe('/api/problems/quota-exceeded');
    expect(await t.prisma.task.count({ where: { userId: user.id } })).toBe(3);
    // Another user's quota is their own.
    expect((await api(t, other, 'POST', '/api/tasks', { body: { title: 'mine' } })).status).toBe(201);

    expect((await api(t, user, 'DELETE', `/api/tasks/${made[0]!.id}`)).status).toBe(204);
    expect((await api(t, user, 'POST', '/api/tasks', { body: { title: 'fits again' } })).status).toBe(201);
    expect((await api(t, user, 'POST', '/api/tasks', { body: { title: 'over again' } })).status).toBe(403);
  });

  it('should let no more than the quota through when creates race', async () => {
    const user = await newUser(t);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api(t, user, 'POST', '/api/tasks', { body: { title: `race ${i}` } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 403)).toHaveLength(37);
    expect(await t.prisma.task.count({ where: { userId: user.id, deletedAt: null } })).toBe(3);
  });
});

describe.each([
  ['in memory', {}],
  ['in Redis', { REDIS_URL: SHARED_REDIS }],
])('TASKS_WRITE_RATE_LIMIT counted %s', (_name, env: Record<string, string>) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...env, TASKS_WRITE_RATE_LIMIT: '4' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer 429 rate-limited with Retry-After and RateLimit headers past the limit, and change nothing', async () => {
    const user = await newUser(t);
    const other = await newUser(t);
    const task = await newTask(t, user); // write 1
    const patched = await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'two' } });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('ratelimit-policy')).toBe('"writes";q=4;w=60');
    expect(patched.headers.get('ratelimit')).toMatch(/^"writes";r=2;t=\d+$/);
    expect((await api(t, user, 'POST', `/api/tasks/${task.id}/logs`, { body: { message: 'three' } })).status).toBe(201);
    expect((await api(t, user, 'PATCH', `/api/tasks/${task.id}/complete`)).status).toBe(200);

    const limited = await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'five' } });
    expect(expectProblem(limited, 429).type).toBe('/api/problems/rate-limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-policy')).toBe('"writes";q=4;w=60');
    expect(limited.headers.get('ratelimit')).toMatch(/^"writes";r=0;t=\d+$/);
    expect(limited.headers.get('x-request-id')).toBeTruthy();
    expect(await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ title: 'two', version: 4 });
    expect((await api(t, user, 'POST', '/api/tasks', { body: { title: 'six' } })).status).toBe(429);
    expect((await api(t, user, 'DELETE', `/api/tasks/${task.id}`)).status).toBe(429);

    // Reads are not writes, and another user has their own budget.
    expect((await api(t, user, 'GET', `/api/tasks/${task.id}`)).status).toBe(200);
    expect((await api(t, user, 'GET', '/api/tasks')).status).toBe(200);
    expect((await api(t, other, 'POST', '/api/tasks', { body: { title: 'other' } })).status).toBe(201);
  });

  it('should let no more than the limit through when writes race', async () => {
    const user = await newUser(t);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api(t, user, 'POST', '/api/tasks', { body: { title: `race ${i}` } })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8);
    expect(await t.prisma.task.count({ where: { userId: user.id } })).toBe(4);
  });
});

describe('SOCKETS_PER_USER', () => {
  let t: TestApp;
  const sockets: TasksClient[] = [];
  beforeAll(async () => {
    t = await startTestApp({ env: { SOCKETS_PER_USER: '2' } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await t.close();
  });

  it('should refuse one more socket with too-many-connections, and admit one again after a disconnect', async () => {
    const user = await newUser(t);
    const other = await newUser(t);
    sockets.push(await connected(t.url, user.token), await connected(t.url, user.token));

    const third = tasksClient(t.url, user.token);
    sockets.push(third);
    const error = await refusal(third);
    expect(error.message).toBe(SOCKET_TOO_MANY_CONNECTIONS);
    expect(third.connected).toBe(false);
    // Another user is not affected.
    sockets.push(await connected(t.url, other.token));

    const gone = disconnection(sockets[0]!);
    sockets[0]!.disconnect();
    await gone;
    // The server may see the disconnect a moment after the client does.
    await expect.poll(async () => {
      const again = tasksClient(t.url, user.token);
      sockets.push(again);
      return outcomeOf(again);
    }).toBe('connected');
  });

  it('should let no more than the limit in when handshakes race', async () => {
    const user = await newUser(t);
    const clients = Array.from({ length: 6 }, () => tasksClient(t.url, user.token));
    sockets.push(...clients);
    const outcomes = await Promise.all(clients.map(outcomeOf));
    expect(outcomes.filter((o) => o === 'connected')).toHaveLength(2);
    expect(outcomes.filter((o) => o === SOCKET_TOO_MANY_CONNECTIONS)).toHaveLength(4);
  });
});
