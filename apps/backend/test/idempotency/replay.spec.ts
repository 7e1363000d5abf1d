import { randomUUID } from 'node:crypto';
import type { LogEntry, Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem, type Res } from '../tasks/helpers.js';

/** Sends the same keyed request twice: the second is the first's answer, replayed. */
async function twice<T>(
  t: TestApp,
  user: TestUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<[Res<T>, Res<T>]> {
  const headers = { 'idempotency-key': randomUUID() };
  const first = await api<T>(t, user, method, path, { body, headers });
  const second = await api<T>(t, user, method, path, { body, headers });
  return [first, second];
}

function expectReplayOf(first: Res, second: Res): void {
  expect(first.headers.get('idempotent-replayed')).toBeNull();
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  expect(second.status).toBe(first.status);
  expect(second.body).toEqual(first.body);
  for (const name of ['etag', 'location', 'content-type']) expect(second.headers.get(name)).toBe(first.headers.get(name));
}

describe('Idempotency-Key: replay', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('replays a create with its status, body, ETag and Location, and creates one task', async () => {
    const [first, second] = await twice<Task>(t, user, 'POST', '/api/tasks', { title: 'once' });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/api/tasks/${first.body.id}`);
    expectReplayOf(first, second);
    expect(await t.prisma.task.count({ where: { userId: user.id, title: 'once' } })).toBe(1);
  });

  it('replays a patch without applying it again (one version step)', async () => {
    const task = await newTask(t, user);
    const [first, second] = await twice<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { status: 'RUNNING' });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe(`"${task.version + 1}"`);
    expectReplayOf(first, second);
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).version).toBe(task.version + 1);
  });

  it('replays a log append, keeping one entry', async () => {
    const task = await newTask(t, user);
    const [first, second] = await twice<LogEntry>(t, user, 'POST', `/api/tasks/${task.id}/logs`, { message: 'm' });
    expect(first.status).toBe(201);
    expectReplayOf(first, second);
    expect(await t.prisma.taskLog.count({ where: { taskId: task.id } })).toBe(1);
  });

  it('replays a delete as 204, not 404', async () => {
    const task = await newTask(t, user);
    const [first, second] = await twice(t, user, 'DELETE', `/api/tasks/${task.id}`);
    expect(first.status).toBe(204);
    expectReplayOf(first, second);
  });

  it('replays a final 4xx answer (an invalid transition) as it was', async () => {
    const task = await newTask(t, user);
    const [first, second] = await twice(t, user, 'PATCH', `/api/tasks/${task.id}`, { status: 'FAILED' });
    expectProblem(first, 409);
    expectReplayOf(first, second);
  });

  it('answers 422 idempotency-key-reused for another body, path or method', async () => {
    const task = await newTask(t, user);
    const key = { 'idempotency-key': randomUUID() };
    expect((await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'a' }, headers: key })).status).toBe(200);
    const before = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    for (const [method, path, body] of [
      ['PATCH', `/api/tasks/${task.id}`, { title: 'b' }],
      ['PUT', `/api/tasks/${task.id}`, { title: 'a' }],
      ['PATCH', `/api/tasks/${task.id}/complete`, undefined],
      ['POST', '/api/tasks', { title: 'a' }],
    ] as const) {
      const problem = expectProblem(await api(t, user, method, path, { body, headers: key }), 422);
      expect(problem.type).toBe('/api/problems/idempotency-key-reused');
    }
    expect(await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toEqual(before);
  });

  it('treats the same body with fields in another order as the same request', async () => {
    const key = { 'idempotency-key': randomUUID() };
    const first = await api<Task>(t, user, 'POST', '/api/tasks', { rawBody: '{"title":"order","priority":"LOW"}', headers: key });
    const second = await api<Task>(t, user, 'POST', '/api/tasks', { rawBody: '{"priority":"LOW","title":"order"}', headers: key });
    expectReplayOf(first, second);
  });

  it('scopes keys per user: the same key by two users runs twice, each their own', async () => {
    const other = await newUser(t);
    const headers = { 'idempotency-key': `shared-${randomUUID()}` };
    const mine = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title: 'scoped' }, headers });
    const theirs = await api<Task>(t, other, 'POST', '/api/tasks', { body: { title: 'scoped' }, headers });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('refuses bad keys with a 400 validation problem, changing nothing', async () => {
    const before = await t.prisma.task.count();
    for (const value of ['', 'x'.repeat(256), 'cl\u00e9']) {
      const problem = expectProblem(await api(t, user, 'POST', '/api/tasks', { body: { title: 'k' }, headers: { 'idempotency-key': value } }), 400);
      expect(problem.errors?.[0]?.path).toBe('Idempotency-Key');
    }
    expect(await t.prisma.task.count()).toBe(before);
  });

  it('does not apply a key to reads', async () => {
    const res = await api(t, user, 'GET', '/api/tasks', { headers: { 'idempotency-key': '' } });
    expect(res.status).toBe(200);
  });

  it('stores the answer of each single-task write once, in the transaction of the write it answers', async () => {
    // Triggers note the transaction of each task write and each key update.
    for (const statement of [
      'CREATE TABLE tx_probe (tbl text, txid bigint, state text)',
      `CREATE FUNCTION probe_key() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN INSERT INTO tx_probe VALUES ('key', txid_current(), NEW.state); RETURN NEW; END $$`,
      `CREATE FUNCTION probe_task() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN INSERT INTO tx_probe VALUES ('task', txid_current(), NULL); RETURN NEW; END $$`,
      'CREATE TRIGGER probe_key AFTER UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION probe_key()',
      'CREATE TRIGGER probe_task AFTER INSERT OR UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION probe_task()',
    ]) {
      await t.prisma.$executeRawUnsafe(statement);
    }
    try {
      const task = await newTask(t, user);
      for (const [method, path, body, status] of [
        ['POST', '/api/tasks', { title: 'atomic' }, 201],
        ['PATCH', `/api/tasks/${task.id}`, { title: 'patched' }, 200],
        ['PUT', `/api/tasks/${task.id}`, { title: 'replaced', description: null, priority: 'LOW', status: 'PENDING' }, 200],
        ['PATCH', `/api/tasks/${task.id}/complete`, undefined, 200],
        ['POST', `/api/tasks/${task.id}/logs`, { message: 'm' }, 201],
        ['DELETE', `/api/tasks/${task.id}`, undefined, 204],
      ] as const) {
        await t.prisma.$executeRawUnsafe('DELETE FROM tx_probe');
        const res = await api(t, user, method, path, { body, headers: { 'idempotency-key': randomUUID() } });
        expect(res.status, `${method} ${path}`).toBe(status);
        const rows = await t.prisma.$queryRawUnsafe<{ tbl: string; txid: string; state: string | null }[]>(
          'SELECT tbl, txid::text AS txid, state FROM tx_probe',
        );
        const write = rows.find((row) => row.tbl === 'task');
        expect(write, `${method} ${path}`).toBeDefined();
        expect(rows.filter((row) => row.tbl === 'key'), `${method} ${path}`).toEqual([{ tbl: 'key', txid: write?.txid, state: 'done' }]);
      }
    } finally {
      for (const statement of ['DROP TRIGGER probe_key ON idempotency_keys', 'DROP TRIGGER probe_task ON tasks', 'DROP TABLE tx_probe']) {
        await t.prisma.$executeRawUnsafe(statement);
      }
    }
  });
});
