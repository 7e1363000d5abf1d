import { createContractClient } from '@tasks/api-client';
import { TASK_PRIORITIES, TASK_STATUSES, taskStatsSchema, type TaskPriority, type TaskStats, type TaskStatus } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api } from './helpers.js';

const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

describe('GET /api/tasks/stats', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const stats = (user: TestUser) => api<TaskStats>(t, user, 'GET', '/api/tasks/stats');

  it('should answer zeros for every status and priority when the user has no tasks', async () => {
    const res = await stats(await newUser(t));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total: 0, byStatus: zero(TASK_STATUSES), byPriority: zero(TASK_PRIORITIES) });
  });

  it('should count live tasks per status and priority after mixed writes and soft deletes, per user', async () => {
    const user = await newUser(t);
    const other = await newUser(t);
    await newTask(t, other, { status: 'RUNNING', priority: 'URGENT' });
    const plan: [TaskStatus, TaskPriority][] = [
      ['PENDING', 'LOW'], ['PENDING', 'MEDIUM'], ['RUNNING', 'HIGH'], ['COMPLETED', 'HIGH'],
      ['FAILED', 'URGENT'], ['CANCELLED', 'MEDIUM'], ['RUNNING', 'LOW'], ['COMPLETED', 'MEDIUM'],
    ];
    const made = [];
    for (const [status, priority] of plan) made.push(await newTask(t, user, { status, priority }));
    // Changes after creation: a priority change, a reopen, and two deletes.
    expect((await api(t, user, 'PATCH', `/api/tasks/${made[0]!.id}`, { body: { priority: 'URGENT' } })).status).toBe(200);
    expect((await api(t, user, 'PATCH', `/api/tasks/${made[3]!.id}/complete`)).status).toBe(200);
    for (const gone of [made[2]!, made[5]!]) expect((await api(t, user, 'DELETE', `/api/tasks/${gone.id}`)).status).toBe(204);

    const live: [TaskStatus, TaskPriority][] = [
      ['PENDING', 'URGENT'], ['PENDING', 'MEDIUM'], ['PENDING', 'HIGH'], ['FAILED', 'URGENT'], ['RUNNING', 'LOW'], ['COMPLETED', 'MEDIUM'],
    ];
    const expected = { total: live.length, byStatus: zero(TASK_STATUSES), byPriority: zero(TASK_PRIORITIES) };
    for (const [status, priority] of live) {
      expected.byStatus[status]++;
      expected.byPriority[priority]++;
    }
    const res = await stats(user);
    expect(taskStatsSchema.parse(res.body)).toEqual(expected);
    expect((await stats(other)).body).toMatchObject({ total: 1, byStatus: { RUNNING: 1 }, byPriority: { URGENT: 1 } });
  });

  it('should answer 401 without a token and not be taken for a task id', async () => {
    const res = await api(t, undefined, 'GET', '/api/tasks/stats');
    expect(res.status).toBe(401);
  });

  it('should give the same counts, search and cursor pages through the typed client', async () => {
    const user = await newUser(t);
    for (const title of ['alpha one', 'alpha two', 'beta']) await newTask(t, user, { title });
    const client = createContractClient({ baseUrl: t.url, token: user.token, timeoutMs: 60_000 });
    expect(await client.getTaskStats()).toEqual((await stats(user)).body);
    const first = await client.getTasks({ q: 'alpha', sort: 'createdAt', limit: 1 });
    expect(first.items.map((i) => i.title)).toEqual(['alpha one']);
    const second = await client.getTasks({ q: 'alpha', sort: 'createdAt', limit: 1, cursor: first.nextCursor });
    expect(second.items.map((i) => i.title)).toEqual(['alpha two']);
    expect(second.nextCursor).toBeNull();
  });
});
