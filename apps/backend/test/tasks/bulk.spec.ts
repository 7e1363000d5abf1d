import { randomUUID } from 'node:crypto';
import { type BulkResponse, type Problem, type Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

const CAP = 2;

describe('POST /api/tasks/bulk', () => {
  let t: TestApp;
  let user: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_MAX_CONCURRENT: String(CAP) } });
    user = await newUser(t);
    other = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const bulk = (body: unknown, who = user, headers: Record<string, string> = {}) =>
    api<BulkResponse>(t, who, 'POST', '/api/tasks/bulk', { body, headers });
  const withoutRequest = ({ requestId: _r, ...problem }: Problem) => problem;

  it('applies each id on its own: 200, 404 and 409 results in the order of ids', async () => {
    const completed = await newTask(t, user);
    expect((await api(t, user, 'PATCH', `/api/tasks/${completed.id}`, { body: { status: 'COMPLETED' } })).status).toBe(200);
    const [a, b, c] = [await newTask(t, user), await newTask(t, user), await newTask(t, user)];
    const theirs = await newTask(t, other);
    const missing = randomUUID();
    const ids = [a.id, theirs.id, completed.id, b.id, missing, c.id];
    const res = await bulk({ ids, status: 'RUNNING' });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => [r.id, r.status])).toEqual([
      [a.id, 200],
      [theirs.id, 404],
      [completed.id, 409],
      [b.id, 200],
      [missing, 404],
      [c.id, 409],
    ]);
    const [ra, rTheirs, rCompleted, rb, , rc] = res.body.results;
    expect(ra?.task?.status).toBe('RUNNING');
    expect(rb?.task?.version).toBe(b.version + 1);
    // The problem is the one the single route answers for the same id.
    const single = await api(t, user, 'PATCH', `/api/tasks/${completed.id}`, { body: { status: 'RUNNING' } });
    expect(withoutRequest(rCompleted!.problem!)).toEqual(withoutRequest(expectProblem(single, 409)));
    const singleTheirs = await api(t, user, 'PATCH', `/api/tasks/${theirs.id}`, { body: { status: 'RUNNING' } });
    expect(withoutRequest(rTheirs!.problem!)).toEqual(withoutRequest(expectProblem(singleTheirs, 404)));
    expect(rc?.problem?.detail).toContain(`${CAP} RUNNING`);
    // Another user's task is untouched.
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: theirs.id } })).version).toBe(theirs.version);
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('PENDING');
  });

  it('changes many tasks and deletes them (204, then 404), leaving the other user’s task alone', async () => {
    const x = await newTask(t, user);
    const y = await newTask(t, user);
    const theirs = await newTask(t, other);
    const failed = await bulk({ ids: [x.id, y.id], status: 'CANCELLED' });
    expect(failed.body.results.map((r) => r.status)).toEqual([200, 200]);
    const del = await bulk({ ids: [x.id, theirs.id, y.id], delete: true });
    expect(del.body.results).toEqual([
      { id: x.id, status: 204 },
      expect.objectContaining({ id: theirs.id, status: 404 }),
      { id: y.id, status: 204 },
    ]);
    const again = await bulk({ ids: [x.id], delete: true });
    expect(again.body.results[0]?.status).toBe(404);
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: theirs.id } })).deletedAt).toBeNull();
  });

  it('refuses bad bodies with 400 field errors and changes nothing', async () => {
    const task = await newTask(t, user);
    const cases: [unknown, string][] = [
      [{ ids: [], status: 'RUNNING' }, 'ids'],
      [{ ids: Array.from({ length: 101 }, () => randomUUID()), status: 'RUNNING' }, 'ids'],
      [{ ids: [task.id, task.id], status: 'RUNNING' }, 'ids.1'],
      [{ ids: [task.id], status: 'RUNNING', delete: true }, 'status'],
      [{ ids: [task.id] }, 'status'],
      [{ ids: [task.id], status: 'RUNNING', userId: other.id }, 'userId'],
    ];
    for (const [body, path] of cases) {
      const problem = expectProblem(await bulk(body), 400);
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).version).toBe(task.version);
  });

  it('replays a bulk with the same Idempotency-Key, applying nothing twice', async () => {
    const task = await newTask(t, user);
    const headers = { 'idempotency-key': randomUUID() };
    const body = { ids: [task.id], status: 'COMPLETED' };
    const first = await bulk(body, user, headers);
    const second = await bulk(body, user, headers);
    expect(first.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((first.body.results[0]?.task as Task).version).toBe(task.version + 1);
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).version).toBe(task.version + 1);
  });
});
