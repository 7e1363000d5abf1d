import { randomUUID } from 'node:crypto';
import type { Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyPruner } from '../../src/idempotency/idempotency.pruner.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from '../tasks/helpers.js';
import { holdTaskWrites } from './hold.js';

const TTL_SECONDS = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Idempotency-Key: expiry, pruning and released keys', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { IDEMPOTENCY_TTL: `${TTL_SECONDS}s`, TASKS_API_TIMEOUT: '1000' } });
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const keysOf = (key: string) => t.prisma.idempotencyKey.count({ where: { userId: user.id, key } });

  it('runs a request again once its key is older than IDEMPOTENCY_TTL, and prunes expired keys', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const title = `ttl-${randomUUID()}`;
    const first = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title }, headers });
    const replay = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title }, headers });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await sleep(TTL_SECONDS * 1000 + 200);
    const again = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title }, headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body.id).not.toBe(first.body.id);
    expect(await t.prisma.task.count({ where: { userId: user.id, title } })).toBe(2);

    const stale = randomUUID();
    await api(t, user, 'POST', '/api/tasks', { body: { title }, headers: { 'idempotency-key': stale } });
    expect(await keysOf(stale)).toBe(1);
    await sleep(TTL_SECONDS * 1000 + 200);
    await t.app.get(IdempotencyPruner).pruneNow();
    expect(await keysOf(stale)).toBe(0);
  });

  it('releases the key of a request answered 503 (timeout): the retry runs and applies once', async () => {
    const task = await newTask(t, user);
    const headers = { 'idempotency-key': randomUUID() };
    const hold = await holdTaskWrites(t, 3_000);
    try {
      const res = await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'late' }, headers });
      expectProblem(res, 503);
    } finally {
      await hold.release();
    }
    while ((await keysOf(headers['idempotency-key'])) > 0) await sleep(50);
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).version).toBe(task.version);
    const retry = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'late' }, headers });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.version).toBe(task.version + 1);
  });
});
