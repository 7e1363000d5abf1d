import type { Task } from '@tasks/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PUMP_PAGE } from '../../src/realtime/change-pumps.js';
import { call } from '../support/http-client.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { asEvent, feedAfter } from './feed.js';
import { connect, connected, disconnection, EventLog, type TasksClient } from './socket-client.js';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function dropConnection(socket: TasksClient): Promise<void> {
  const gone = disconnection(socket);
  socket.io.engine.close();
  expect(await gone).toBe('forced close');
}

/**
 * A recovered session is served from the change log, page by page: however many or however large
 * the events it missed within the window, it gets all of them once, in order (no packet buffer to
 * overflow, and no replay read whole into memory).
 */
describe.each([
  ['the in-memory adapter', {}],
  ['the Redis streams adapter', { REDIS_URL: SHARED_REDIS }],
])('recovery of many missed events with %s', (_name, env: Record<string, string>) => {
  let t: TestApp;
  const clients: TasksClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env });
  });
  afterEach(() => {
    for (const socket of clients.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A connected socket that has received one event, so it holds an offset to resume from. */
  async function withOffset(user: TestUser): Promise<{ socket: TasksClient; log: EventLog }> {
    const socket = await connected(t.url, user.token);
    clients.push(socket);
    const log = new EventLog(socket);
    await newTask(t, user);
    await log.until(1);
    return { socket, log };
  }

  it('should recover every missed event, once and in order, when more than a page of changes was missed', async () => {
    const user = await newUser(t);
    const { socket, log } = await withOffset(user);
    const since = log.lastCursor();
    await dropConnection(socket);
    const missedCount = PUMP_PAGE + 30;
    for (let i = 0; i < missedCount; i++) await newTask(t, user);
    await connect(socket);
    expect(socket.recovered).toBe(true);
    await log.until(1 + missedCount, 60_000);
    const live = await newTask(t, user);
    await log.until(2 + missedCount);
    const missed = await feedAfter(t.url, user.token, since);
    expect(log.events.slice(1, 1 + missedCount)).toEqual(missed.slice(0, missedCount).map((c) => ({ event: c.type, payload: c.task })));
    expect(log.metas.slice(1, 1 + missedCount)).toEqual(missed.slice(0, missedCount).map((c) => asEvent(c).meta));
    expect(log.events.at(-1)).toEqual({ event: 'task:created', payload: live });
    expect(log.events).toHaveLength(2 + missedCount);
  }, 120_000);

  it('should recover large events too: three of ~24 KiB each', async () => {
    const user = await newUser(t);
    const heavy = '\u0001'.repeat(2000);
    const created = await call(t.url, 'POST', '/api/tasks', { token: user.token, body: { title: 'heavy', description: heavy } });
    expect(created.status).toBe(201);
    const { socket, log } = await withOffset(user);
    await dropConnection(socket);
    const updates: Task[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(t.url, 'POST', `/api/tasks/${(created.body as Task).id}/logs`, { token: user.token, body: { message: heavy } });
      expect(res.status).toBe(201);
      updates.push((await call(t.url, 'GET', `/api/tasks/${(created.body as Task).id}`, { token: user.token })).body as Task);
    }
    await connect(socket);
    expect(socket.recovered).toBe(true);
    await log.until(4);
    expect(log.events.slice(1)).toEqual(updates.map((task) => ({ event: 'task:updated', payload: task })));
  });
});
