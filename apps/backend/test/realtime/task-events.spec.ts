import type { LogEntry, Task } from '@tasks/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChangesService } from '../../src/changes/changes.service.js';
import { call } from '../support/http-client.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { asEvent, feedAfter, headCursor } from './feed.js';
import { connected, EventLog, type TasksClient } from './socket-client.js';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each([
  ['the in-memory adapter', {}],
  ['the Redis streams adapter', { REDIS_URL: SHARED_REDIS }],
])('task events with %s', (_name, env: Record<string, string>) => {
  let t: TestApp;
  const clients: TasksClient[] = [];
  const open = async (user: TestUser): Promise<TasksClient> => {
    const socket = await connected(t.url, user.token);
    clients.push(socket);
    return socket;
  };

  beforeAll(async () => {
    t = await startTestApp({ env });
  });
  afterEach(() => {
    for (const socket of clients.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await t.close();
  });

  it('should deliver each mutation to the owner exactly once and in order when create, PATCH, PUT, complete, log and delete succeed', async () => {
    const owner = await newUser(t);
    const log = new EventLog(await open(owner));
    const json = { token: owner.token };

    const created = await call(t.url, 'POST', '/api/tasks', { ...json, body: { title: 'watch me' } });
    const id = (created.body as Task).id;
    const patched = await call(t.url, 'PATCH', `/api/tasks/${id}`, { ...json, body: { status: 'RUNNING' } });
    const replaced = await call(t.url, 'PUT', `/api/tasks/${id}`, {
      ...json,
      body: { title: 'replaced', description: 'd', priority: 'HIGH', status: 'RUNNING' },
    });
    const completed = await call(t.url, 'PATCH', `/api/tasks/${id}/complete`, json);
    const logged = await call(t.url, 'POST', `/api/tasks/${id}/logs`, { ...json, body: { message: 'step 1' } });
    const deleted = await call(t.url, 'DELETE', `/api/tasks/${id}`, json);
    expect([created, patched, replaced, completed, logged, deleted].map((r) => r.status)).toEqual([201, 200, 200, 200, 201, 204]);

    await log.until(6);
    // A marker from a later mutation proves nothing else was still on its way.
    const marker = await newTask(t, owner);
    await log.until(7);
    expect(log.events.slice(0, 6)).toEqual([
      { event: 'task:created', payload: created.body },
      { event: 'task:updated', payload: patched.body },
      { event: 'task:updated', payload: replaced.body },
      { event: 'task:updated', payload: completed.body },
      {
        event: 'task:updated',
        payload: {
          ...(completed.body as Task),
          version: (completed.body as Task).version + 1,
          logCount: 1,
          lastLog: logged.body as LogEntry,
          updatedAt: (logged.body as LogEntry).at,
        },
      },
      { event: 'task:deleted', payload: { id } },
    ]);
    expect(log.events[6]).toEqual({ event: 'task:created', payload: marker });
    expect(log.events).toHaveLength(7);
  });

  it('should emit nothing when a request is rejected', async () => {
    const owner = await newUser(t);
    const stranger = await newUser(t);
    const task = await newTask(t, owner);
    const log = new EventLog(await open(owner));
    const auth = { token: owner.token };

    const rejected = [
      await call(t.url, 'POST', '/api/tasks', { ...auth, body: { title: '' } }),
      await call(t.url, 'POST', '/api/tasks', { ...auth, body: { title: 'x', userId: owner.id } }),
      await call(t.url, 'PATCH', `/api/tasks/${task.id}`, { ...auth, body: { status: 'FAILED' } }),
      await call(t.url, 'PATCH', `/api/tasks/${task.id}`, { ...auth, body: { title: 'x' }, headers: { 'if-match': '"999"' } }),
      await call(t.url, 'PATCH', `/api/tasks/${task.id}`, { token: stranger.token, body: { title: 'mine now' } }),
      await call(t.url, 'DELETE', `/api/tasks/${task.id}`, { token: stranger.token }),
      await call(t.url, 'POST', `/api/tasks/${task.id}/logs`, { ...auth, body: { message: 'x'.repeat(2001) } }),
    ];
    expect(rejected.map((r) => r.status)).toEqual([400, 400, 409, 412, 404, 404, 400]);

    const marker = await newTask(t, owner);
    await log.until(1);
    expect(log.events).toEqual([{ event: 'task:created', payload: marker }]);
  });

  it("should deliver nothing to another user's sockets when they are connected at the same time", async () => {
    const owner = await newUser(t);
    const other = await newUser(t);
    const ownerLog = new EventLog(await open(owner));
    const otherLog = new EventLog(await open(other));

    const task = await newTask(t, owner, { status: 'RUNNING' });
    await call(t.url, 'DELETE', `/api/tasks/${task.id}`, { token: owner.token });
    await ownerLog.until(3);

    // The other user's own event arrives after anything published before it.
    const marker = await newTask(t, other);
    await otherLog.until(1);
    expect(otherLog.events).toEqual([{ event: 'task:created', payload: marker }]);
  });

  it('should deliver to every socket of the owner when the owner has several', async () => {
    const owner = await newUser(t);
    const first = new EventLog(await open(owner));
    const second = new EventLog(await open(owner));
    const task = await newTask(t, owner);
    await Promise.all([first.until(1), second.until(1)]);
    expect(first.events).toEqual([{ event: 'task:created', payload: task }]);
    expect(second.events).toEqual(first.events);
  });

  it("should send this instance's changes without reading them back from the log, exactly as the feed has them", async () => {
    const owner = await newUser(t);
    const since = await headCursor(t.url, owner.token);
    const log = new EventLog(await open(owner));
    // The first event proves the socket's first read of the log (at connect) is over.
    await newTask(t, owner);
    await log.until(1);
    const reads = vi.spyOn(t.app.get(ChangesService, { strict: false }), 'changesAfter');
    try {
      const task = await newTask(t, owner);
      const auth = { token: owner.token };
      await call(t.url, 'PATCH', `/api/tasks/${task.id}`, { ...auth, body: { status: 'RUNNING' } });
      await call(t.url, 'POST', `/api/tasks/${task.id}/logs`, { ...auth, body: { message: 'step' } });
      await call(t.url, 'DELETE', `/api/tasks/${task.id}`, auth);
      await log.until(5);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
    const feed = await feedAfter(t.url, owner.token, since);
    expect(feed).toHaveLength(5);
    expect(log.events.map((event, i) => ({ ...event, meta: log.metas[i] }))).toEqual(feed.map(asEvent));
  });
});
