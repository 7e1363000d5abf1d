import { SOCKET_UNAUTHORIZED, type Task } from '@tasks/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http-client.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { connect, connected, disconnection, EventLog, type TasksClient } from './socket-client.js';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Cuts the transport under the socket; the server sees a recoverable "transport close". */
async function dropConnection(socket: TasksClient): Promise<void> {
  const gone = disconnection(socket);
  socket.io.engine.close();
  expect(await gone).toBe('forced close');
}

/**
 * Recovery resumes from the offset of the last event the client received, so a client must have
 * received one (within the window) before it can resume: open a socket and let it see one event.
 */
async function openWithOffset(t: TestApp, user: TestUser, open: (token: string) => Promise<TasksClient>): Promise<TasksClient> {
  const socket = await open(user.token);
  const log = new EventLog(socket);
  await newTask(t, user);
  await log.until(1);
  return socket;
}

/** Every Socket.IO packet the client's manager decodes, CONNECT_ERROR and EVENT included. */
function wireLog(socket: TasksClient): { type: number; data?: unknown }[] {
  const packets: { type: number; data?: unknown }[] = [];
  socket.io.on('packet', (packet) => packets.push(packet as { type: number; data?: unknown }));
  return packets;
}

async function login(t: TestApp, user: TestUser): Promise<string> {
  const res = await call(t.url, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
  return (res.body as { accessToken: string }).accessToken;
}

describe.each([
  ['the in-memory adapter', {}],
  ['the Redis streams adapter', { REDIS_URL: SHARED_REDIS }],
])('connection-state recovery with %s', (_name, env: Record<string, string>) => {
  let t: TestApp;
  const clients: TasksClient[] = [];
  const open = async (token: string): Promise<TasksClient> => {
    const socket = await connected(t.url, token);
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

  it('should deliver the events sent while away, in order, when the client reconnects after a dropped connection', async () => {
    const owner = await newUser(t);
    const socket = await open(owner.token);
    const log = new EventLog(socket);
    const before = await newTask(t, owner);
    await log.until(1);

    await dropConnection(socket);
    const created = await newTask(t, owner);
    const updated = await call(t.url, 'PATCH', `/api/tasks/${created.id}`, { token: owner.token, body: { status: 'RUNNING' } });
    await call(t.url, 'DELETE', `/api/tasks/${before.id}`, { token: owner.token });

    await connect(socket);
    expect(socket.recovered).toBe(true);
    await log.until(4);
    const live = await newTask(t, owner);
    await log.until(5);
    expect(log.events).toEqual([
      { event: 'task:created', payload: before },
      { event: 'task:created', payload: created },
      { event: 'task:updated', payload: updated.body as Task },
      { event: 'task:deleted', payload: { id: before.id } },
      { event: 'task:created', payload: live },
    ]);
  });

  it('should refuse the resumed session and send none of the missed events when its token was revoked while away', async () => {
    const owner = await newUser(t);
    const socket = await openWithOffset(t, owner, open);
    await dropConnection(socket);
    const otherToken = await login(t, owner);
    expect((await call(t.url, 'POST', '/api/auth/logout', { token: owner.token })).status).toBe(204);
    await newTask(t, { ...owner, token: otherToken, headers: { authorization: `Bearer ${otherToken}` } });

    const packets = wireLog(socket);
    const error = await connect(socket).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(SOCKET_UNAUTHORIZED);
    expect(packets.map((p) => p.type)).toEqual([4]); // CONNECT_ERROR only: no EVENT (2) reached the wire
  });

  it("should refuse to resume a session when the token belongs to another user", async () => {
    const owner = await newUser(t);
    const intruder = await newUser(t);
    const socket = await openWithOffset(t, owner, open);
    await dropConnection(socket);
    await newTask(t, owner);

    socket.auth = { token: intruder.token };
    const packets = wireLog(socket);
    const error = await connect(socket).then(
      () => undefined,
      (e: unknown) => e as Error & { data?: { detail?: string } },
    );
    expect(error?.message).toBe(SOCKET_UNAUTHORIZED);
    expect(error?.data?.detail).toMatch(/another user/);
    expect(packets.map((p) => p.type)).toEqual([4]);
  });

  it('should follow the new token when a session is resumed with a fresh token of the same user', async () => {
    const owner = await newUser(t);
    const socket = await openWithOffset(t, owner, open);
    const log = new EventLog(socket);
    await dropConnection(socket);
    const freshToken = await login(t, owner);
    socket.auth = { token: freshToken };
    await connect(socket);
    expect(socket.recovered).toBe(true);

    // Logging out the old token no longer concerns this socket; logging out the new one does.
    expect((await call(t.url, 'POST', '/api/auth/logout', { token: owner.token })).status).toBe(204);
    const task = await newTask(t, { ...owner, token: freshToken, headers: { authorization: `Bearer ${freshToken}` } });
    await log.until(1);
    expect(log.events).toEqual([{ event: 'task:created', payload: task }]);
    const gone = disconnection(socket);
    expect((await call(t.url, 'POST', '/api/auth/logout', { token: freshToken })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
  });
});
