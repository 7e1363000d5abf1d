import { historyPageSchema, type Change, type HistoryPage, type Problem, type Task, type TaskList } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { ChangeCursorCodec } from '../../src/changes/change-cursor.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';
import { api, comparable404, expectProblem } from '../tasks/helpers.js';
import { currentCursor, feedPage, follow } from './support.js';

describe('change feed and history over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_WRITE_RATE_LIMIT: '1000000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (user: TestUser, query = '?limit=100') => {
    const res = await api<TaskList>(t, user, 'GET', `/api/tasks${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const feedRes = (user: TestUser, query: string) => api<Problem>(t, user, 'GET', `/api/tasks/changes${query}`);
  const withoutRequest = ({ instance: _i, requestId: _r, ...rest }: Problem) => rest;

  it('should answer no items and the current cursor without since, and the changes after it oldest first, page by page', async () => {
    const user = await newUser(t);
    const start = await currentCursor(t, user);
    expect(await feedPage(t, user, `?since=${encodeURIComponent(start)}`)).toEqual({ items: [], cursor: start, hasMore: false });
    const tasks: Task[] = [];
    for (let i = 0; i < 5; i++) tasks.push(await newTask(t, user, { title: `t${i}` }));
    await api(t, user, 'PATCH', `/api/tasks/${tasks[0]!.id}`, { body: { title: 'renamed' } });
    await api(t, user, 'DELETE', `/api/tasks/${tasks[1]!.id}`);

    const first = await feedPage(t, user, `?since=${encodeURIComponent(start)}&limit=3`);
    expect(first.items.map((c) => c.task?.title)).toEqual(['t0', 't1', 't2']);
    expect(first.hasMore).toBe(true);
    expect(first.cursor).toBe(first.items[2]!.cursor);
    const rest = await follow(t, user, first.cursor, 2);
    expect(rest.items.map((c) => [c.type, c.task?.title ?? null])).toEqual([
      ['task:created', 't3'], ['task:created', 't4'], ['task:updated', 'renamed'], ['task:deleted', null],
    ]);
    expect(rest.cursor).toBe(rest.items.at(-1)!.cursor);
    expect(await currentCursor(t, user)).toBe(rest.cursor);
    expect((await feedPage(t, user, `?since=${encodeURIComponent(rest.cursor)}`)).items).toEqual([]);
  });

  it('should rebuild exactly the listed state from a list and the feed after its changesCursor (random operations)', async () => {
    const user = await newUser(t);
    const state = new Map<string, Task>();
    const snapshot = await list(user);
    let cursor = snapshot.changesCursor;
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const live = [...(await list(user)).items];
      const pick = live[random(Math.max(1, live.length))];
      const op = live.length === 0 ? 0 : random(5);
      if (op === 0) await api(t, user, 'POST', '/api/tasks', { body: { title: `r${round}` } });
      else if (op === 1) await api(t, user, 'PATCH', `/api/tasks/${pick!.id}`, { body: { title: `r${round}` } });
      else if (op === 2) await api(t, user, 'PATCH', `/api/tasks/${pick!.id}/complete`);
      else if (op === 3) await api(t, user, 'POST', `/api/tasks/${pick!.id}/logs`, { body: { message: `m${round}` } });
      else await api(t, user, 'DELETE', `/api/tasks/${pick!.id}`);
      if (round % 10 === 9) {
        // Re-list mid-way: its changesCursor must continue exactly where its snapshot stands.
        const again = await list(user);
        state.clear();
        for (const task of again.items) state.set(task.id, task);
        cursor = again.changesCursor;
      }
    }
    const { items } = await follow(t, user, cursor, 7);
    const apply = (change: Change) => (change.task ? state.set(change.taskId, change.task) : state.delete(change.taskId));
    items.forEach(apply);
    const fresh = await list(user);
    const byId = (a: Task, b: Task) => a.id.localeCompare(b.id);
    expect([...state.values()].sort(byId)).toEqual([...fresh.items].sort(byId));
    expect(fresh.changesCursor).toBe(items.at(-1)?.cursor ?? cursor);
  });

  it('should answer the same 400 for a malformed, foreign and future since, and 400 for a limit out of range', async () => {
    const user = await newUser(t);
    const other = await newUser(t);
    await newTask(t, other);
    await newTask(t, other);
    const foreign = await currentCursor(t, other);
    const mine = await currentCursor(t, user);
    // Signed for this very user, but past their newest change.
    const future = new ChangeCursorCodec(TEST_JWT_SECRET).encode(user.id, 3);
    const bodies: Omit<Problem, 'instance' | 'requestId'>[] = [];
    for (const since of ['garbage', foreign, future, `${mine}x`, '9'.repeat(30)]) {
      const res = await feedRes(user, `?since=${encodeURIComponent(since)}`);
      bodies.push(withoutRequest(expectProblem(res, 400)));
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    for (const limit of ['0', '1001', '-1', 'x', '1.5']) expectProblem(await feedRes(user, `?limit=${limit}`), 400);
    expectProblem(await feedRes(user, '?since='), 400);
    expectProblem(await feedRes(user, '?unknown=1'), 400);
    expect((await feedRes(user, '?limit=1000')).status).toBe(200);
    expect((await api(t, undefined, 'GET', '/api/tasks/changes')).status).toBe(401);
  });

  it('should page a task’s history newest first, and answer the GET 404 for another user’s or a deleted task', async () => {
    const user = await newUser(t);
    const other = await newUser(t);
    const task = await newTask(t, user);
    for (let i = 0; i < 4; i++) await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: `v${i + 2}` } });
    await newTask(t, user);
    const versions: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: HistoryPage } = await api<HistoryPage>(t, user, 'GET', `/api/tasks/${task.id}/history?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const page = historyPageSchema.parse(res.body);
      expect(page.items.every((c) => c.taskId === task.id)).toBe(true);
      versions.push(...page.items.map((c) => c.task!.version));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(versions).toEqual([5, 4, 3, 2, 1]);

    const notFound = comparable404(await api(t, user, 'GET', `/api/tasks/${crypto.randomUUID()}`));
    expect(comparable404(await api(t, other, 'GET', `/api/tasks/${task.id}/history`))).toEqual(notFound);
    expect(comparable404(await api(t, other, 'GET', `/api/tasks/${task.id}/history?cursor=garbage`))).toEqual(notFound);
    expectProblem(await api(t, user, 'GET', `/api/tasks/${task.id}/history?cursor=garbage`), 400);
    expectProblem(await api(t, user, 'GET', `/api/tasks/${task.id}/history?limit=0`), 400);
    expectProblem(await api(t, user, 'GET', '/api/tasks/not-a-uuid/history'), 400);
    await api(t, user, 'DELETE', `/api/tasks/${task.id}`);
    expect(comparable404(await api(t, user, 'GET', `/api/tasks/${task.id}/history`))).toEqual(notFound);
    expect(comparable404(await api(t, user, 'GET', `/api/tasks/${task.id}`))).toEqual(notFound);
  });

  it('should answer 410 cursor-expired when the change after since is past the retention, pruned or not, and never for a caught-up cursor', async () => {
    const user = await newUser(t);
    const start = await currentCursor(t, user);
    await newTask(t, user);
    await newTask(t, user);
    const caughtUp = await currentCursor(t, user);
    const middle = (await feedPage(t, user, `?since=${encodeURIComponent(start)}&limit=1`)).cursor;
    await t.prisma.$executeRaw`UPDATE task_changes SET at = now() - interval '8 days' WHERE user_id = ${user.id}::uuid`;

    const expired = expectProblem(await feedRes(user, `?since=${encodeURIComponent(start)}`), 410);
    expect(expired.type).toBe('/api/problems/cursor-expired');
    expectProblem(await feedRes(user, `?since=${encodeURIComponent(middle)}`), 410);
    expect((await feedRes(user, `?since=${encodeURIComponent(caughtUp)}`)).status).toBe(200);

    // A newer change after an old one: following from the old position is fine, from before it not.
    await newTask(t, user);
    expect((await follow(t, user, caughtUp)).items).toHaveLength(1);
    await t.prisma.$executeRaw`DELETE FROM task_changes WHERE user_id = ${user.id}::uuid AND seq <= 2`;
    await t.prisma.$executeRaw`UPDATE task_changes SET at = now() WHERE user_id = ${user.id}::uuid`;
    expectProblem(await feedRes(user, `?since=${encodeURIComponent(start)}`), 410);
    expectProblem(await feedRes(user, `?since=${encodeURIComponent(middle)}`), 410);
    expect((await follow(t, user, caughtUp)).items).toHaveLength(1);
  });

  it('should route /api/tasks/changes to the feed, not to GET /api/tasks/:id, and list the routes in the OpenAPI document', async () => {
    const user = await newUser(t);
    const res = await api(t, user, 'GET', '/api/tasks/changes');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], hasMore: false });
    const doc = (await api<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(t, undefined, 'GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/tasks/changes']!.get!.responses).sort()).toEqual(['200', '400', '401', '410', '414', '431', '503']);
    expect(Object.keys(doc.paths['/api/tasks/{id}/history']!.get!.responses).sort()).toEqual(['200', '400', '401', '404', '414', '431', '503']);
  });
});
