import type { LogEntry, Task } from '@tasks/schemas';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { DomainEventBus } from '../../src/common/events/domain-events.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api } from './helpers.js';

describe('task domain events emitted by the service', () => {
  let t: TestApp;
  let user: TestUser;
  let emit: MockInstance<DomainEventBus['emit']>;
  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_MAX_CONCURRENT: '1' } });
    user = await newUser(t);
    // Spy on the real bus, so delivery still happens.
    emit = vi.spyOn(t.app.get(DomainEventBus), 'emit');
  });
  beforeEach(() => {
    emit.mockClear();
  });
  afterAll(async () => {
    emit.mockRestore();
    await t.close();
  });

  it('should emit one event per successful mutation with the committed task', async () => {
    const created = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title: 'evented' } });
    const id = created.body.id;
    const patched = await api<Task>(t, user, 'PATCH', `/api/tasks/${id}`, { body: { title: 'renamed' } });
    const put = await api<Task>(t, user, 'PUT', `/api/tasks/${id}`, { body: { title: 'put', description: null, priority: 'LOW', status: 'PENDING' } });
    const completed = await api<Task>(t, user, 'PATCH', `/api/tasks/${id}/complete`);
    const logged = await api<LogEntry>(t, user, 'POST', `/api/tasks/${id}/logs`, { body: { message: 'hi' } });
    // The event after an append carries the task, with the entry as its lastLog and never the entries.
    const afterLog: Task = { ...completed.body, version: completed.body.version + 1, logCount: 1, lastLog: logged.body, updatedAt: logged.body.at };
    await api(t, user, 'DELETE', `/api/tasks/${id}`);
    const at = expect.any(Date) as unknown;
    // Each names its change in the user's feed: consecutive seqs, in commit order.
    const seq = (emit.mock.calls[0]?.[1] as { seq: number }).seq;
    expect(emit.mock.calls).toEqual([
      ['task.created', { userId: user.id, task: created.body, seq, at }],
      ['task.updated', { userId: user.id, task: patched.body, seq: seq + 1, at }],
      ['task.updated', { userId: user.id, task: put.body, seq: seq + 2, at }],
      ['task.updated', { userId: user.id, task: completed.body, seq: seq + 3, at }],
      ['task.updated', { userId: user.id, task: afterLog, seq: seq + 4, at }],
      ['task.deleted', { userId: user.id, task: { id }, seq: seq + 5, at }],
    ]);
  });

  it('should emit nothing when a request is rejected or changes nothing', async () => {
    const task = await newTask(t, user);
    const other = await newUser(t);
    await newTask(t, user, { status: 'RUNNING' });
    emit.mockClear();
    await api(t, user, 'POST', '/api/tasks', { body: { title: '' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'FAILED' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'RUNNING' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'x' }, headers: { 'if-match': '"9"' } });
    await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { status: 'PENDING' } });
    await api(t, other, 'DELETE', `/api/tasks/${task.id}`);
    await api(t, other, 'POST', `/api/tasks/${task.id}/logs`, { body: { message: 'x' } });
    expect(emit).not.toHaveBeenCalled();
    expect(await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ version: 1 });
  });
});
