import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http-client.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { connect, connected, disconnection, EventLog, type TasksClient } from './socket-client.js';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAX_EVENTS = 5;
const MAX_BYTES = 64 * 1024;

async function dropConnection(socket: TasksClient): Promise<void> {
  const gone = disconnection(socket);
  socket.io.engine.close();
  expect(await gone).toBe('forced close');
}

/**
 * The events kept for connection-state recovery are bounded in count and bytes, in memory and in the
 * Redis stream; a client that missed more than the bound reconnects with `recovered: false` (and
 * reloads), instead of the server reading and sending everything it missed.
 */
describe.each([
  ['the in-memory adapter', {}],
  ['the Redis streams adapter', { REDIS_URL: SHARED_REDIS }],
])('recovery bounds with %s', (_name, env: Record<string, string>) => {
  let t: TestApp;
  const clients: TasksClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      env: { ...env, SOCKET_RECOVERY_MAX_EVENTS: String(MAX_EVENTS), SOCKET_RECOVERY_MAX_BYTES: String(MAX_BYTES) },
    });
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

  it('should recover the missed events when they are within the bounds', async () => {
    const user = await newUser(t);
    const { socket, log } = await withOffset(user);
    await dropConnection(socket);
    for (let i = 0; i < MAX_EVENTS - 2; i++) await newTask(t, user);
    await connect(socket);
    expect(socket.recovered).toBe(true);
    await log.until(MAX_EVENTS - 1);
  });

  it('should answer recovered: false and replay nothing when more events than the bound were missed', async () => {
    const user = await newUser(t);
    const { socket, log } = await withOffset(user);
    await dropConnection(socket);
    for (let i = 0; i < MAX_EVENTS + 3; i++) await newTask(t, user);
    await connect(socket);
    expect(socket.recovered).toBe(false);
    const marker = await newTask(t, user);
    await log.until(2);
    expect(log.events.at(-1)).toEqual({ event: 'task:created', payload: marker });
    expect(log.events).toHaveLength(2);
  });

  it('should answer recovered: false when the missed events exceed the byte bound, though fewer than the count bound', async () => {
    const user = await newUser(t);
    const heavy = '\u0001'.repeat(2000);
    const created = await call(t.url, 'POST', '/api/tasks', { token: user.token, body: { title: 'heavy', description: heavy } });
    expect(created.status).toBe(201);
    const { socket, log } = await withOffset(user);
    await dropConnection(socket);
    // Each event carries the task: a description and a last entry of 2,000 characters that take 6 bytes
    // each in JSON, ~24 KiB per event; three are over 64 KiB.
    for (let i = 0; i < 3; i++) {
      const res = await call(t.url, 'POST', `/api/tasks/${(created.body as { id: string }).id}/logs`, { token: user.token, body: { message: heavy } });
      expect(res.status).toBe(201);
    }
    await connect(socket);
    expect(socket.recovered).toBe(false);
    const marker = await newTask(t, user);
    await log.until(2);
    expect(log.events.at(-1)).toEqual({ event: 'task:created', payload: marker });
  });
});
