import { randomUUID } from 'node:crypto';
import type { Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

describe('tasks concurrency', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_MAX_CONCURRENT: '5' } });
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('ETag / If-Match', () => {
    it('should apply the write when If-Match names the current version', async () => {
      const task = await newTask(t, user);
      const res = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, {
        body: { title: 'ok' },
        headers: { 'if-match': '"1"' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('"2"');
    });

    it('should apply the write when If-Match is *', async () => {
      const task = await newTask(t, user);
      const res = await api<Task>(t, user, 'PUT', `/api/tasks/${task.id}`, {
        body: { title: 'star', description: null, priority: 'LOW', status: 'PENDING' },
        headers: { 'if-match': '*' },
      });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(2);
    });

    it('should answer 412 and change nothing when If-Match is stale on every write route', async () => {
      const task = await newTask(t, user);
      await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'v2' } });
      const before = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      const stale = { 'if-match': '"1"' };
      expectProblem(await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'lost' }, headers: stale }), 412);
      expectProblem(
        await api(t, user, 'PUT', `/api/tasks/${task.id}`, {
          body: { title: 'lost', description: null, priority: 'LOW', status: 'PENDING' },
          headers: stale,
        }),
        412,
      );
      expectProblem(await api(t, user, 'PATCH', `/api/tasks/${task.id}/complete`, { headers: stale }), 412);
      expectProblem(await api(t, user, 'DELETE', `/api/tasks/${task.id}`, { headers: stale }), 412);
      expectProblem(await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'lost' }, headers: { 'if-match': 'W/"2"' } }), 412);
      expect(await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toEqual(before);
    });

    it('should let exactly one of many racing writes with the same If-Match win', async () => {
      const task = await newTask(t, user);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: `racer ${i}` }, headers: { 'if-match': '"1"' } }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(19);
      const row = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(row.version).toBe(2);
      expect(row.title).toBe(results.find((r) => r.status === 200)!.body.title);
    });

    it.each([30, 60])('should apply all %i racing edits without If-Match, one after another, when last write wins', async (n) => {
      const task = await newTask(t, user);
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: `w${i}` } })),
      );
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: n }, () => 200));
      // Each edit saw the one before it: versions 2 … n+1, each answered once.
      expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
      const row = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(row.version).toBe(1 + n);
      expect(row.title).toBe(results.find((r) => r.body.version === 1 + n)!.body.title);
    });

    it('should apply racing PUTs and complete toggles without If-Match in turn, each on the state before it', async () => {
      const task = await newTask(t, user);
      const toggles = await Promise.all(
        Array.from({ length: 20 }, () => api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}/complete`)),
      );
      expect(toggles.every((r) => r.status === 200)).toBe(true);
      // 20 toggles from PENDING, applied one after another, end where they started.
      const row = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(row).toMatchObject({ version: 21, status: 'PENDING' });
      const puts = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api<Task>(t, user, 'PUT', `/api/tasks/${task.id}`, { body: { title: `p${i}`, description: null, priority: 'LOW', status: 'PENDING' } }),
        ),
      );
      expect(puts.every((r) => r.status === 200)).toBe(true);
      expect((await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).version).toBe(41);
    });
  });

  describe('running cap', () => {
    it('should let exactly TASKS_MAX_CONCURRENT of 50 racing transitions to RUNNING succeed', async () => {
      const racer = await newUser(t);
      const ids = Array.from({ length: 50 }, () => randomUUID());
      await t.prisma.task.createMany({ data: ids.map((id, i) => ({ id, userId: racer.id, title: `race ${i}` })) });
      const results = await Promise.all(
        ids.map((id) => api<Task>(t, racer, 'PATCH', `/api/tasks/${id}`, { body: { status: 'RUNNING' } })),
      );
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 409);
      expect(ok).toHaveLength(5);
      expect(refused).toHaveLength(45);
      for (const r of refused) expect(expectProblem(r, 409).detail).toContain('5 RUNNING');
      expect(await t.prisma.task.count({ where: { userId: racer.id, status: 'RUNNING' } })).toBe(5);
      expect(await t.prisma.task.count({ where: { userId: racer.id, status: 'PENDING', version: 1 } })).toBe(45);
    });

    it('should count the cap per user when another user runs tasks', async () => {
      const a = await newUser(t);
      const b = await newUser(t);
      for (let i = 0; i < 5; i++) await newTask(t, a, { status: 'RUNNING' });
      const res = await api<Task>(t, b, 'PATCH', `/api/tasks/${(await newTask(t, b)).id}`, { body: { status: 'RUNNING' } });
      expect(res.status).toBe(200);
    });

    it('should apply the cap to PUT as well when PUT moves a task to RUNNING', async () => {
      const u = await newUser(t);
      for (let i = 0; i < 5; i++) await newTask(t, u, { status: 'RUNNING' });
      const task = await newTask(t, u);
      expectProblem(
        await api(t, u, 'PUT', `/api/tasks/${task.id}`, { body: { title: 'x', description: null, priority: 'LOW', status: 'RUNNING' } }),
        409,
      );
      expect(await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: 'PENDING', version: 1 });
    });
  });
});
