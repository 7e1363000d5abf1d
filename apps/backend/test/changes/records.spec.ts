import type { Task } from '@tasks/schemas';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectTask } from '../tasks/helpers.js';
import { currentCursor, follow, storedChanges } from './support.js';

/** Every write records exactly one change in the same transaction; a failed or no-op write records none. */
describe('change log: what each write records', () => {
  let t: TestApp;
  let user: TestUser;
  let task: Task;
  let since: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_MAX_PER_USER: '1000' } });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    user = await newUser(t);
    task = await newTask(t, user, { description: 'first' });
    since = await currentCursor(t, user);
  });

  /** The changes since the test's start, from the feed, checked against the rows in the database. */
  async function recorded() {
    const { items } = await follow(t, user, since);
    const stored = (await storedChanges(t, user)).slice(1);
    expect(items.map((c) => [c.type, c.taskId, c.changed, c.task])).toEqual(stored.map((s) => [s.type, s.taskId, s.changed, s.type === 'task:deleted' ? null : (expect.anything() as unknown)]));
    expect(stored.map((s) => s.version)).toEqual(items.map((c) => c.task?.version ?? stored.find((s) => s.type === 'task:deleted')!.version));
    return items;
  }

  it('should record task:created with the task as the create answered it', async () => {
    const [first] = await storedChanges(t, user);
    expect(first).toMatchObject({ seq: 1, type: 'task:created', taskId: task.id, version: 1, changed: [] });
    const res = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title: 'second', priority: 'HIGH' } });
    expect(res.status).toBe(201);
    const [change, ...rest] = await recorded();
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ type: 'task:created', taskId: res.body.id, changed: [] });
    expect(JSON.stringify(change!.task)).toBe(JSON.stringify(res.body));
  });

  it('should record task:updated with the changed fields for PATCH, PUT, a status change and the complete toggle', async () => {
    const patched = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'renamed' } });
    const started = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'RUNNING' } });
    const replaced = await api<Task>(t, user, 'PUT', `/api/tasks/${task.id}`, {
      body: { title: 'replaced', description: null, priority: 'LOW', status: 'RUNNING' },
    });
    const completed = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}/complete`);
    for (const res of [patched, started, replaced, completed]) expect(res.status).toBe(200);
    const changes = await recorded();
    expect(changes.map((c) => c.type)).toEqual(['task:updated', 'task:updated', 'task:updated', 'task:updated']);
    expect(changes[0]!.changed).toEqual(['title']);
    expect(changes[1]!.changed).toEqual(expect.arrayContaining(['status', 'startedAt']));
    expect(changes[2]!.changed).toEqual(expect.arrayContaining(['title', 'description', 'priority']));
    expect(changes[2]!.changed).not.toContain('status');
    expect(changes[3]!.changed).toEqual(expect.arrayContaining(['status', 'completedAt']));
    expect(changes.map((c) => JSON.stringify(c.task))).toEqual([patched, started, replaced, completed].map((r) => JSON.stringify(r.body)));
    expect(changes.map((c) => c.task!.version)).toEqual([2, 3, 4, 5]);
  });

  it('should record a log append as task:updated of logCount and lastLog', async () => {
    const res = await api(t, user, 'POST', `/api/tasks/${task.id}/logs`, { body: { message: 'hello' } });
    expect(res.status).toBe(201);
    const [change, ...rest] = await recorded();
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ type: 'task:updated', taskId: task.id, changed: ['logCount', 'lastLog'] });
    const now = expectTask((await api(t, user, 'GET', `/api/tasks/${task.id}`)).body);
    expect(JSON.stringify(change!.task)).toBe(JSON.stringify(now));
  });

  it('should record a delete as task:deleted without a task, at the version the delete made', async () => {
    expect((await api(t, user, 'DELETE', `/api/tasks/${task.id}`, { headers: { 'if-match': '"1"' } })).status).toBe(204);
    const [change, ...rest] = await recorded();
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ type: 'task:deleted', taskId: task.id, task: null, changed: [] });
    expect((await storedChanges(t, user)).at(-1)!.version).toBe(2);
  });

  it('should record nothing for a no-op PATCH (same status, same values) that keeps the version', async () => {
    const same = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'PENDING', description: 'first' } });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
    expect(await recorded()).toEqual([]);
  });

  it('should record nothing for writes that fail: 409, 412, 404 and 400', async () => {
    const other = await newUser(t);
    const failures = [
      [409, await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'FAILED' } })],
      [412, await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'x' }, headers: { 'if-match': '"7"' } })],
      [412, await api(t, user, 'DELETE', `/api/tasks/${task.id}`, { headers: { 'if-match': '"7"' } })],
      [404, await api(t, other, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'x' } })],
      [404, await api(t, other, 'POST', `/api/tasks/${task.id}/logs`, { body: { message: 'x' } })],
      [404, await api(t, other, 'DELETE', `/api/tasks/${task.id}`)],
      [400, await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: '' } })],
      [400, await api(t, user, 'POST', '/api/tasks', { body: { title: '' } })],
    ] as const;
    for (const [status, res] of failures) expect(res.status).toBe(status);
    expect(await recorded()).toEqual([]);
    expect(await storedChanges(t, other)).toEqual([]);
  });
});

describe('change log: a create over the quota', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_MAX_PER_USER: '1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should record nothing for a 403 create', async () => {
    const user = await newUser(t);
    await newTask(t, user);
    expect((await api(t, user, 'POST', '/api/tasks', { body: { title: 'over' } })).status).toBe(403);
    expect((await storedChanges(t, user)).map((c) => c.type)).toEqual(['task:created']);
  });
});
