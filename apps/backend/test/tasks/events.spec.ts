import type { LogEntry, Task } from '@tasks/schemas';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { TaskEventsPublisher } from '../../src/tasks/task-events.publisher.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api } from './helpers.js';

describe('task events published by the service', () => {
  let t: TestApp;
  let user: TestUser;
  let publish: MockInstance<TaskEventsPublisher['publish']>;
  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_MAX_CONCURRENT: '1' } });
    user = await newUser(t);
    // Spy on the real publisher (whatever is bound), so delivery still happens.
    publish = vi.spyOn(t.app.get(TaskEventsPublisher, { strict: false }), 'publish');
  });
  beforeEach(() => {
    publish.mockClear();
  });
  afterAll(async () => {
    publish.mockRestore();
    await t.close();
  });

  it('should publish one event per successful mutation with the committed task', async () => {
    const created = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title: 'evented' } });
    const id = created.body.id;
    const patched = await api<Task>(t, user, 'PATCH', `/api/tasks/${id}`, { body: { title: 'renamed' } });
    const put = await api<Task>(t, user, 'PUT', `/api/tasks/${id}`, { body: { title: 'put', description: null, priority: 'LOW', status: 'PENDING' } });
    const completed = await api<Task>(t, user, 'PATCH', `/api/tasks/${id}/complete`);
    const logged = await api<LogEntry>(t, user, 'POST', `/api/tasks/${id}/logs`, { body: { message: 'hi' } });
    // The event after an append carries the task, with the entry as its lastLog and never the entries.
    const afterLog: Task = { ...completed.body, version: completed.body.version + 1, logCount: 1, lastLog: logged.body, updatedAt: logged.body.at };
    await api(t, user, 'DELETE', `/api/tasks/${id}`);
    expect(publish.mock.calls).toEqual([
      [user.id, 'task:created', created.body],
      [user.id, 'task:updated', patched.body],
      [user.id, 'task:updated', put.body],
      [user.id, 'task:updated', completed.body],
      [user.id, 'task:updated', afterLog],
      [user.id, 'task:deleted', { id }],
    ]);
  });

  it('should publish nothing when a request is rejected or changes nothing', async () => {
    const task = await newTask(t, user);
    const other = await newUser(t);
    await newTask(t, user, { status: 'RUNNING' });
    publish.mockClear();
    await api(t, user, 'POST', '/api/tasks', { body: { title: '' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'FAILED' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'RUNNING' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'x' }, headers: { 'if-match': '"9"' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'PENDING' } });
    await api(t, other, 'DELETE', `/api/tasks/${task.id}`);
    await api(t, other, 'POST', `/api/tasks/${task.id}/logs`, { body: { message: 'x' } });
    expect(publish).not.toHaveBeenCalled();
    expect(await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ version: 1 });
  });
});
