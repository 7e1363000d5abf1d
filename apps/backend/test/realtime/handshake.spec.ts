import { SOCKET_UNAUTHORIZED } from '@tasks/schemas';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http-client.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { connected, disconnection, EventLog, refusal, tasksClient, type TasksClient } from './socket-client.js';
import { forgeToken, secondsFromNow } from './tokens.js';

describe('task events handshake and lifetime', () => {
  let t: TestApp;
  let user: TestUser;
  const clients: TasksClient[] = [];
  const open = async (token: string): Promise<TasksClient> => {
    const socket = await connected(t.url, token);
    clients.push(socket);
    return socket;
  };

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
  });
  afterEach(() => {
    for (const socket of clients.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['there is no token', () => undefined, /No access token/],
    ['the token is empty', () => '', /No access token/],
    ['the token is garbage', () => 'not-a-jwt', /malformed/],
    ['the token uses alg none', () => forgeToken(user.id, { alg: 'none' }), /algorithm/],
    ['the token has expired', () => forgeToken(user.id, { claims: { exp: secondsFromNow(-10) } }), /expired/],
    ['the token is signed with another secret', () => forgeToken(user.id, { secret: 'another-secret-that-is-long-enough-0123456789' }), /signature/],
    ['the token has another issuer', () => forgeToken(user.id, { claims: { iss: 'someone-else' } }), /issuer/],
    ['the token belongs to no user', () => forgeToken('00000000-0000-4000-8000-000000000000'), /no longer exists/],
  ])('should refuse the handshake with connect_error "unauthorized" when %s', async (_case, token, detail) => {
    const error = await refusal(tasksClient(t.url, token()));
    expect(error.message).toBe(SOCKET_UNAUTHORIZED);
    expect(error.data?.detail).toMatch(detail);
  });

  it('should refuse the handshake when the token was revoked by logout', async () => {
    const someone = await newUser(t);
    expect((await call(t.url, 'POST', '/api/auth/logout', { token: someone.token })).status).toBe(204);
    const error = await refusal(tasksClient(t.url, someone.token));
    expect(error.message).toBe(SOCKET_UNAUTHORIZED);
    expect(error.data?.detail).toMatch(/revoked/);
  });

  it('should refuse the handshake when the token is sent as a query parameter or header instead of auth', async () => {
    const viaQuery = tasksClient(t.url, undefined, { query: { token: user.token } });
    expect((await refusal(viaQuery)).message).toBe(SOCKET_UNAUTHORIZED);
    const viaHeader = tasksClient(t.url, undefined, { transports: ['polling'], extraHeaders: { authorization: `Bearer ${user.token}` } });
    expect((await refusal(viaHeader)).message).toBe(SOCKET_UNAUTHORIZED);
  });

  it('should refuse the main namespace when a client connects to it even with a valid token', async () => {
    const socket = io(t.url, { path: '/socket.io', auth: { token: user.token }, transports: ['websocket'], forceNew: true, reconnection: false });
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    socket.disconnect();
    expect(error.message).toBe(SOCKET_UNAUTHORIZED);
  });

  it('should disconnect the sockets of a token when it is logged out and keep those of its other tokens', async () => {
    const someone = await newUser(t);
    const login = await call(t.url, 'POST', '/api/auth/login', { body: { email: someone.email, password: someone.password } });
    const otherToken = (login.body as { accessToken: string }).accessToken;
    const [first, second] = [await open(someone.token), await open(someone.token)];
    const survivor = await open(otherToken);
    const survivorLog = new EventLog(survivor);
    const gone = [disconnection(first), disconnection(second)];

    expect((await call(t.url, 'POST', '/api/auth/logout', { token: someone.token })).status).toBe(204);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(survivor.connected).toBe(true);
    const task = await newTask(t, { ...someone, token: otherToken, headers: { authorization: `Bearer ${otherToken}` } });
    await survivorLog.until(1);
    expect(survivorLog.events).toEqual([{ event: 'task:created', payload: task }]);
  });

  it('should disconnect a socket when its token expires while connected', async () => {
    const token = forgeToken(user.id, { claims: { exp: secondsFromNow(2) } });
    const socket = await open(token);
    expect(await disconnection(socket)).toBe('io server disconnect');
    expect((await refusal(tasksClient(t.url, token))).data?.detail).toMatch(/expired/);
  });

  it('should ignore unknown events from a client and keep delivering when a client emits them', async () => {
    const someone = await newUser(t);
    const socket = await open(someone.token);
    const log = new EventLog(socket);
    const raw = socket as unknown as { emit(event: string, ...args: unknown[]): void };
    raw.emit('task:created', { id: 'forged' });
    raw.emit('hello', 1, 2, 3);
    raw.emit('constructor');
    raw.emit('__proto__', { polluted: true });
    const task = await newTask(t, someone);
    await log.until(1);
    expect(log.events).toEqual([{ event: 'task:created', payload: task }]);
    expect(socket.connected).toBe(true);
  });

  it('should drop the connection and stay up when a client sends a payload over the size limit', async () => {
    const socket = await open(user.token);
    const gone = disconnection(socket);
    (socket as unknown as { emit(event: string, data: string): void }).emit('big', 'x'.repeat(64 * 1024));
    expect(await gone).toBe('transport close');
    expect((await call(t.url, 'GET', '/api/health/live')).status).toBe(200);
    const again = await open(user.token);
    expect(again.connected).toBe(true);
  });
});
