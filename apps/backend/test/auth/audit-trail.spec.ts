import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBackend, type BackendProcess } from '../foundation/support/backend-process.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/databases.js';
import { call, type Exchange } from '../support/http-client.js';
import { refusal, tasksClient } from '../realtime/socket-client.js';

const SECRET = 'audit-test-secret-long-enough-for-hs256-0123456789';
type Line = Record<string, unknown>;

/**
 * The audit trail as an operator reads it: the log stream (stdout) of the BUILT backend in a real
 * process, at LOG_LEVEL=info. Every event once per occurrence, with its fields; nothing secret.
 */
describe('audit trail in the log stream of a real server', () => {
  let database: ThrowawayDatabase;
  let backend: BackendProcess;
  const secrets: string[] = [];
  const emails = {
    alice: `alice-${randomUUID()}@example.com`,
    ghost: `ghost-${randomUUID()}@example.com`,
    other: `other-${randomUUID()}@example.com`,
    late: `late-${randomUUID()}@example.com`,
  };
  const password = `Pw-${randomUUID()}`;
  const wrong = `Wrong-${randomUUID()}`;
  secrets.push(...Object.values(emails), password, wrong, SECRET);

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    backend = await spawnBackend({
      DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'info',
      AUTH_RATE_LIMIT_LOGIN: '3',
      AUTH_RATE_LIMIT_REGISTER: '2',
      // Small enough for the test to trip both, large enough for the task writes before that.
      TASKS_MAX_PER_USER: '2',
      TASKS_WRITE_RATE_LIMIT: '7',
      AUTH_RATE_LIMIT_KEY_PREFIX: `test-audit-${randomUUID()}`,
      SOCKET_IO_KEY_PREFIX: `test-audit-${randomUUID()}`,
    });
    await backend.ready();
  }, 120_000);
  afterAll(async () => {
    backend.kill();
    await backend.exited;
    await database.drop();
  });

  const events = (name: string): Line[] => backend.logs().filter((line) => line.event === name);
  const post = (route: string, body: unknown, token?: string): Promise<Exchange> =>
    call(backend.url, 'POST', route, { body, ...(token ? { token } : {}) });
  /** Log lines are written asynchronously: wait until `count` lines of the event are there. */
  const settled = async (name: string, count: number): Promise<Line[]> => {
    await backend.waitForLog(() => events(name).length >= count).catch(() => undefined);
    return events(name);
  };

  it('should log each security and task event once with its fields and never a secret', async () => {
    // Registration: ok, email taken, then refused by the limit (2 per address).
    const registered = await post('/api/auth/register', { email: emails.alice, password });
    expect(registered.status).toBe(201);
    const { accessToken: token, user } = registered.body as { accessToken: string; user: { id: string } };
    secrets.push(token);
    expect((await post('/api/auth/register', { email: emails.alice.toUpperCase(), password })).status).toBe(409);
    expect((await post('/api/auth/register', { email: emails.late, password })).status).toBe(429);
    const register = await settled('auth.register', 3);
    expect(register.map((l) => l.outcome)).toEqual(['ok', 'email_taken', 'rate_limited']);
    expect(register[0]).toMatchObject({ level: 30, userId: user.id });
    // The same normalised email, the same keyed hash.
    expect(register[1]?.emailHash).toBe(register[0]?.emailHash);
    expect(register[2]?.emailHash).not.toBe(register[0]?.emailHash);

    // Logins: success, wrong password (carries the user id), unknown emails (keyed hash), then the limit.
    expect((await post('/api/auth/login', { email: emails.alice, password })).status).toBe(200);
    expect((await post('/api/auth/login', { email: emails.alice, password: wrong })).status).toBe(401);
    expect((await post('/api/auth/login', { email: emails.ghost, password: wrong })).status).toBe(401);
    expect((await post('/api/auth/login', { email: ` ${emails.ghost.toUpperCase()}`, password: wrong })).status).toBe(401);
    expect((await post('/api/auth/login', { email: emails.other, password: wrong })).status).toBe(401);
    expect((await post('/api/auth/login', { email: emails.alice, password: wrong })).status).toBe(401);
    expect((await post('/api/auth/login', { email: emails.alice, password: wrong })).status).toBe(401);
    expect((await post('/api/auth/login', { email: emails.alice, password })).status).toBe(429);

    const succeeded = await settled('auth.login.succeeded', 1);
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]).toMatchObject({ userId: user.id, ip: '127.0.0.1', level: 30 });
    expect(typeof succeeded[0]?.reqId).toBe('string');
    const failed = await settled('auth.login.failed', 7);
    expect(failed.map((l) => [l.reason, l.userId ?? l.emailHash])).toEqual([
      ['wrong_password', user.id],
      ['unknown_email', failed[1]?.emailHash],
      ['unknown_email', failed[1]?.emailHash],
      ['unknown_email', failed[3]?.emailHash],
      ['wrong_password', user.id],
      ['wrong_password', user.id],
      ['rate_limited', user.id],
    ]);
    expect(failed[1]?.emailHash).toMatch(/^[\w-]{22}$/);
    expect(failed[3]?.emailHash).not.toBe(failed[1]?.emailHash);
    expect(failed[0]?.emailHash).toBeUndefined();
    expect(failed.every((l) => l.level === 40)).toBe(true);
    const limited = await settled('auth.rate_limited', 2);
    expect(limited.map((l) => [l.limiter, l.keyKind])).toEqual([
      ['register', 'address'],
      ['login', 'address_email'],
    ]);
    expect(limited.every((l) => typeof l.retryAfterSeconds === 'number' && l.key === undefined)).toBe(true);

    // Authenticated request lines carry the user and the token id.
    const jti = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti;
    expect((await call(backend.url, 'GET', '/api/auth/me', { token })).status).toBe(200);
    await backend.waitForLog((l) => l.msg === 'request completed' && (l.req as { url?: string } | undefined)?.url === '/api/auth/me');
    const meLine = backend.logs().find((l) => l.msg === 'request completed' && (l.req as { url?: string }).url === '/api/auth/me');
    expect(meLine).toMatchObject({ userId: user.id, jti });

    // Tasks: created, updated (changed fields), deleted.
    const created = await post('/api/tasks', { title: 'audited' }, token);
    expect(created.status).toBe(201);
    const taskId = (created.body as { id: string }).id;
    expect((await call(backend.url, 'PATCH', `/api/tasks/${taskId}`, { token, body: { title: 'renamed', priority: 'HIGH' } })).status).toBe(200);
    expect((await call(backend.url, 'DELETE', `/api/tasks/${taskId}`, { token })).status).toBe(204);
    expect(await settled('task.created', 1)).toEqual([expect.objectContaining({ userId: user.id, taskId })]);
    const updated = await settled('task.updated', 1);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ userId: user.id, taskId });
    expect([...(updated[0]?.changed as string[])].sort()).toEqual(['priority', 'title']);
    expect(await settled('task.deleted', 1)).toEqual([expect.objectContaining({ userId: user.id, taskId })]);
    // Each names the request that caused it, as the auth events do.
    const fromRequest = (line: Line | undefined): boolean => line?.ip === '127.0.0.1' && typeof line.reqId === 'string';
    expect([...events('task.created'), ...updated, ...events('task.deleted')].every(fromRequest)).toBe(true);

    // A log append changes the task's log summary; then the quota (2 live tasks), then the write rate (7 a minute).
    const first = await post('/api/tasks', { title: 'first' }, token);
    expect(first.status).toBe(201);
    const firstId = (first.body as { id: string }).id;
    expect((await post(`/api/tasks/${firstId}/logs`, { message: 'step one', level: 'info' }, token)).status).toBe(201);
    expect((await post('/api/tasks', { title: 'second' }, token)).status).toBe(201);
    const overQuota = await post('/api/tasks', { title: 'third' }, token);
    expect(overQuota.status).toBe(403);
    expect((await call(backend.url, 'PATCH', `/api/tasks/${firstId}`, { token, body: { title: 'late' } })).status).toBe(429);
    const appended = (await settled('task.updated', 2))[1];
    expect(appended).toMatchObject({ userId: user.id, taskId: firstId, changed: ['logCount', 'lastLog'] });
    const quota = await settled('tasks.quota_exceeded', 1);
    expect(quota).toEqual([expect.objectContaining({ userId: user.id, max: 2, level: 40 })]);
    expect(fromRequest(quota[0])).toBe(true);
    expect(quota[0]?.reqId).toBe(overQuota.headers.get('x-request-id'));
    const writesLimited = await settled('tasks.rate_limited', 1);
    expect(writesLimited).toEqual([expect.objectContaining({ userId: user.id, level: 40 })]);
    expect(fromRequest(writesLimited[0])).toBe(true);
    expect(writesLimited[0]?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(events('task.created')).toHaveLength(3);

    // Refused tokens and sockets name their cause.
    expect((await call(backend.url, 'GET', '/api/auth/me', { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(401);
    expect((await call(backend.url, 'GET', '/api/tasks')).status).toBe(401);
    const refusedTokens = await settled('auth.token.refused', 2);
    expect(refusedTokens.map((l) => l.cause)).toEqual(['malformed', 'missing']);
    await refusal(tasksClient(backend.url, 'not.a.jwt'));
    expect((await settled('socket.refused', 1)).map((l) => l.cause)).toEqual(['malformed']);

    // Logout revokes exactly this token.
    expect((await post('/api/auth/logout', undefined, token)).status).toBe(204);
    expect(await settled('auth.logout', 1)).toEqual([expect.objectContaining({ userId: user.id, jti, level: 30 })]);
    expect((await call(backend.url, 'GET', '/api/auth/me', { token })).status).toBe(401);
    expect((await settled('auth.token.refused', 3)).map((l) => l.cause)).toEqual(['malformed', 'missing', 'revoked']);

    // Nothing secret anywhere in the whole output: passwords, hashes, tokens, clear emails.
    const output = backend.output();
    expect(output).not.toContain('$argon2');
    for (const secret of secrets) expect(output.toLowerCase()).not.toContain(secret.toLowerCase());
  });
});
