/**
 * The OWASP API Security Top 10 (2023), API1 to API3,
 * each attack run against the real application (HTTP and Socket.IO).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_UNAUTHORIZED, TaskEvent, type Task } from '@tasks/schemas';
import { newUser, type TestUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { type TestApp } from '../support/test-app.js';
import { LOGIN_LIMIT, TASK_ROUTES, base64url, expectProblem, forgeToken, claimsFor, openSocket, keysOf, startOwaspApp } from './support/owasp.js';

describe('OWASP API Security Top 10 (2023): API1, API2, API3', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let aliceTask: Task;

  beforeAll(async () => {
    ({ t, alice, bob, aliceTask } = await startOwaspApp());
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  describe('API1 broken object-level authorization', () => {
    it.each(TASK_ROUTES)("should answer 404 exactly as for a missing task and change nothing when another user calls $method on a task's route", async (route) => {
      const before = await t.prisma.task.findUniqueOrThrow({ where: { id: aliceTask.id } });
      const attack = await call(t.url, route.method, route.path(aliceTask.id), { token: bob.token, body: 'body' in route ? route.body : undefined });
      const missing = await call(t.url, route.method, route.path(randomUUID()), { token: bob.token, body: 'body' in route ? route.body : undefined });
      expectProblem(attack, 404);
      const strip = (body: unknown) => {
        const { instance: _i, requestId: _r, ...rest } = body as Record<string, unknown>;
        return rest;
      };
      expect(strip(attack.body)).toEqual(strip(missing.body));
      expect(attack.text).not.toContain('alice private');
      expect(await t.prisma.task.findUniqueOrThrow({ where: { id: aliceTask.id } })).toEqual(before);
    });

    it("should never list another user's tasks when filters and paging are pushed to their limits", async () => {
      for (const query of ['', '?limit=100', '?status=PENDING,RUNNING,COMPLETED,FAILED,CANCELLED', '?offset=0&sort=priority']) {
        const response = await call(t.url, 'GET', `/api/tasks${query}`, { token: bob.token });
        expect(response.status).toBe(200);
        expect(response.text).not.toContain(aliceTask.id);
      }
    });

    it("should deliver a user's task events only to that user's sockets when two users are connected", async () => {
      const [a, b] = await Promise.all([openSocket(t.url, alice.token), openSocket(t.url, bob.token)]);
      const toAlice: string[] = [];
      const toBob: string[] = [];
      for (const event of Object.values(TaskEvent)) {
        a.socket.on(event, () => toAlice.push(event));
        b.socket.on(event, () => toBob.push(event));
      }
      try {
        const created = (await call(t.url, 'POST', '/api/tasks', { token: alice.token, body: { title: 'evented' } })).body as Task;
        await call(t.url, 'PATCH', `/api/tasks/${created.id}`, { token: alice.token, body: { status: 'RUNNING' } });
        await call(t.url, 'DELETE', `/api/tasks/${created.id}`, { token: alice.token });
        await expect.poll(() => toAlice.length, { timeout: 5_000 }).toBe(3);
        // Bob's socket is live and receives his own events: so silence above means isolation, not a dead socket.
        await call(t.url, 'POST', '/api/tasks', { token: bob.token, body: { title: 'bob own' } });
        await expect.poll(() => toBob, { timeout: 5_000 }).toEqual([TaskEvent.Created]);
      } finally {
        a.socket.close();
        b.socket.close();
      }
    });
  });

  describe('API2 broken authentication', () => {
    const attacks: { name: string; header: (user: TestUser) => string | undefined }[] = [
      { name: 'no Authorization header', header: () => undefined },
      { name: 'an empty bearer', header: () => 'Bearer ' },
      { name: 'a non-bearer scheme', header: (u) => `Basic ${u.token}` },
      { name: 'a malformed token', header: () => 'Bearer not.a.jwt' },
      { name: 'a token signed with another secret', header: (u) => `Bearer ${forgeToken(claimsFor(u), { secret: 'another-secret-that-is-long-enough-000000000' })}` },
      { name: 'alg none', header: (u) => `Bearer ${forgeToken(claimsFor(u), { alg: 'none', signature: '' })}` },
      { name: 'alg HS512 with the right secret', header: (u) => `Bearer ${forgeToken(claimsFor(u), { alg: 'HS512' })}` },
      { name: 'an expired token', header: (u) => `Bearer ${forgeToken(claimsFor(u, { exp: Math.floor(Date.now() / 1000) - 10 }))}` },
      { name: 'a wrong issuer', header: (u) => `Bearer ${forgeToken(claimsFor(u, { iss: 'evil' }))}` },
      { name: 'a wrong audience', header: (u) => `Bearer ${forgeToken(claimsFor(u, { aud: 'evil' }))}` },
      { name: 'a token for a user that never existed', header: (u) => `Bearer ${forgeToken(claimsFor(u, { sub: randomUUID() }))}` },
      { name: 'a token without sub', header: (u) => `Bearer ${forgeToken(claimsFor(u, { sub: undefined }))}` },
      { name: 'a tampered payload', header: (u) => { const [h, , s] = u.token.split('.'); return `Bearer ${h}.${base64url(JSON.stringify(claimsFor(u, { sub: randomUUID() })))}.${s}`; } },
    ];

    it.each(attacks)('should answer 401 with WWW-Authenticate on every protected route when the request carries $name', async ({ header }) => {
      const value = header(alice);
      for (const [method, path] of [['GET', '/api/auth/me'], ['GET', '/api/tasks'], ['POST', '/api/tasks'], ['GET', `/api/tasks/${aliceTask.id}`]] as const) {
        const response = await call(t.url, method, path, { headers: value === undefined ? {} : { authorization: value }, body: method === 'POST' ? { title: 'x' } : undefined });
        expectProblem(response, 401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    });

    it.each(attacks.filter((attack) => attack.name !== 'a non-bearer scheme' && attack.name !== 'an empty bearer'))('should refuse the socket handshake with "unauthorized" when it carries $name', async ({ header }) => {
      const value = header(alice)?.replace(/^Bearer /, '');
      const { socket, error } = await openSocket(t.url, value);
      socket.close();
      expect(error?.message).toBe(SOCKET_UNAUTHORIZED);
    });

    it('should reject a token at once on HTTP and socket when its user logged out', async () => {
      const carol = await newUser(t);
      expect((await call(t.url, 'POST', '/api/auth/logout', { token: carol.token })).status).toBe(204);
      expectProblem(await call(t.url, 'GET', '/api/auth/me', { token: carol.token }), 401);
      const { socket, error } = await openSocket(t.url, carol.token);
      socket.close();
      expect(error?.message).toBe(SOCKET_UNAUTHORIZED);
    });

    it('should reject a valid token when its user no longer exists', async () => {
      const dave = await newUser(t);
      await t.prisma.user.delete({ where: { id: dave.id } });
      expectProblem(await call(t.url, 'GET', '/api/auth/me', { token: dave.token }), 401);
    });

    it('should answer 429 with Retry-After after too many failed logins and the same 401 for unknown email and wrong password', async () => {
      const unknown = await call(t.url, 'POST', '/api/auth/login', { body: { email: `nobody-${randomUUID()}@example.com`, password: 'whatever-123' } });
      const wrong = await call(t.url, 'POST', '/api/auth/login', { body: { email: bob.email, password: 'wrong-password' } });
      expectProblem(unknown, 401);
      expectProblem(wrong, 401);
      expect((unknown.body as { detail: string }).detail).toBe((wrong.body as { detail: string }).detail);
      for (let i = 1; i < LOGIN_LIMIT; i += 1) await call(t.url, 'POST', '/api/auth/login', { body: { email: bob.email, password: 'wrong-password' } });
      const limited = await call(t.url, 'POST', '/api/auth/login', { body: { email: bob.email, password: bob.password } });
      expectProblem(limited, 429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('API3 broken object property-level authorization', () => {
    const forbidden = { userId: randomUUID(), id: randomUUID(), deletedAt: new Date().toISOString(), version: 99, createdAt: '2000-01-01T00:00:00.000Z', updatedAt: '2000-01-01T00:00:00.000Z', startedAt: '2000-01-01T00:00:00.000Z', logs: [] };

    it.each(Object.entries(forbidden))('should answer 400 naming %s and change nothing when a body tries to set it', async (field, value) => {
      const before = await t.prisma.task.findUniqueOrThrow({ where: { id: aliceTask.id } });
      const count = await t.prisma.task.count();
      const attempts = [
        await call(t.url, 'POST', '/api/tasks', { token: alice.token, body: { title: 'mass', [field]: value } }),
        await call(t.url, 'PATCH', `/api/tasks/${aliceTask.id}`, { token: alice.token, body: { title: 'mass', [field]: value } }),
        await call(t.url, 'PUT', `/api/tasks/${aliceTask.id}`, { token: alice.token, body: { title: 'mass', description: null, priority: 'LOW', status: 'PENDING', [field]: value } }),
      ];
      for (const response of attempts) {
        expectProblem(response, 400);
        expect((response.body as { errors?: { path: string }[] }).errors?.map((e) => e.path)).toContain(field);
      }
      expect(await t.prisma.task.findUniqueOrThrow({ where: { id: aliceTask.id } })).toEqual(before);
      expect(await t.prisma.task.count()).toBe(count);
    });

    it('should answer 400 when register tries to set an id or a password hash', async () => {
      for (const extra of [{ id: randomUUID() }, { passwordHash: 'x' }, { role: 'admin' }]) {
        expectProblem(await call(t.url, 'POST', '/api/auth/register', { body: { email: `m-${randomUUID()}@example.com`, password: 'password-123', ...extra } }), 400);
      }
    });

    it('should never return a secret or internal field in any response', async () => {
      const responses = [
        await call(t.url, 'POST', '/api/auth/register', { body: { email: `s-${randomUUID()}@example.com`, password: 'password-123' } }),
        await call(t.url, 'POST', '/api/auth/login', { body: { email: alice.email, password: alice.password } }),
        await call(t.url, 'GET', '/api/auth/me', { token: alice.token }),
        await call(t.url, 'GET', '/api/tasks', { token: alice.token }),
        await call(t.url, 'GET', `/api/tasks/${aliceTask.id}`, { token: alice.token }),
        await call(t.url, 'POST', `/api/tasks/${aliceTask.id}/logs`, { token: alice.token, body: { message: 'hello' } }),
      ];
      for (const response of responses) {
        expect(response.status).toBeLessThan(300);
        const keys = keysOf(response.body);
        for (const secret of ['password', 'passwordHash', 'password_hash', 'userId', 'user_id', 'deletedAt', 'deleted_at', 'jti', 'secret']) expect(keys.has(secret), secret).toBe(false);
        expect(response.text).not.toMatch(/\$argon2/);
      }
    });
  });
});
