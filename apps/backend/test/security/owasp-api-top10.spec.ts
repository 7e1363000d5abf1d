/**
 * The OWASP API Security Top 10 (2023), one describe per category that applies to this API,
 * each attack run against the real application (HTTP and Socket.IO).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket as NetSocket } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema, SOCKET_UNAUTHORIZED, TaskEvent, type Task } from '@tasks/schemas';
import { newUser, type TestUser } from '../support/factories.js';
import { call, type Exchange } from '../support/http-client.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

const ALLOWED_ORIGIN = 'https://app.example.com';
const LOGIN_LIMIT = 3;

/** Every task route, with a body that would be valid. */
const TASK_ROUTES = [
  { method: 'GET', path: (id: string) => `/api/tasks/${id}` },
  { method: 'PATCH', path: (id: string) => `/api/tasks/${id}`, body: { title: 'taken over' } },
  { method: 'PUT', path: (id: string) => `/api/tasks/${id}`, body: { title: 'taken over', description: null, priority: 'LOW', status: 'PENDING' } },
  { method: 'PATCH', path: (id: string) => `/api/tasks/${id}/complete` },
  { method: 'POST', path: (id: string) => `/api/tasks/${id}/logs`, body: { message: 'injected' } },
  { method: 'DELETE', path: (id: string) => `/api/tasks/${id}` },
] as const;

function expectProblem(response: Exchange, status: number): void {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  expect(problemSchema.safeParse(response.body).success, response.text).toBe(true);
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs a JWT by hand so every field (alg, claims, key) can be wrong on purpose. */
function forgeToken(claims: Record<string, unknown>, options: { alg?: string; secret?: string; signature?: string } = {}): string {
  const header = base64url(JSON.stringify({ alg: options.alg ?? 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  if (options.signature !== undefined) return `${header}.${payload}.${options.signature}`;
  const algorithm = options.alg === 'HS512' ? 'sha512' : options.alg === 'HS384' ? 'sha384' : 'sha256';
  const signature = createHmac(algorithm, options.secret ?? TEST_JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function claimsFor(user: TestUser, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: user.id, iat: now, exp: now + 600, jti: randomUUID(), iss: 'tasks-api', aud: 'tasks-api', ...overrides };
}

function openSocket(url: string, token: string | undefined): Promise<{ socket: Socket; error?: Error }> {
  const socket = io(`${url}/tasks`, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => resolve({ socket, error }));
  });
}

/** Keys anywhere in a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, into));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysOf(inner, into);
    }
  }
  return into;
}

describe('OWASP API Security Top 10 (2023)', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let aliceTask: Task;

  beforeAll(async () => {
    t = await startTestApp({
      env: { AUTH_RATE_LIMIT_LOGIN: String(LOGIN_LIMIT), CORS_ORIGINS: ALLOWED_ORIGIN, API_DOCS_ENABLED: 'true' },
    });
    [alice, bob] = [await newUser(t), await newUser(t)];
    aliceTask = (await call(t.url, 'POST', '/api/tasks', { token: alice.token, body: { title: 'alice private', description: 'salary figures' } })).body as Task;
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

  describe('API4 unrestricted resource consumption', () => {
    it('should answer 413 as a problem when a body is over 1 MiB', async () => {
      const response = await call(t.url, 'POST', '/api/tasks', { token: alice.token, rawBody: JSON.stringify({ title: 'x', description: 'y'.repeat(1024 * 1024 + 10) }), headers: { 'content-type': 'application/json' } });
      expectProblem(response, 413);
    });

    it.each([
      ['limit over 100', '/api/tasks?limit=101'],
      ['limit 0', '/api/tasks?limit=0'],
      ['negative offset', '/api/tasks?offset=-1'],
      ['offset past 2^31', '/api/tasks?offset=2147483648'],
      ['an exponent', '/api/tasks?limit=1e2'],
    ])('should answer 400 when a page asks for %s', async (_name, path) => {
      expectProblem(await call(t.url, 'GET', path, { token: alice.token }), 400);
    });

    it.each([
      ['title', { title: 'x'.repeat(201) }],
      ['description', { title: 'ok', description: 'x'.repeat(2001) }],
    ])('should answer 400 when %s is over its length limit', async (_name, body) => {
      expectProblem(await call(t.url, 'POST', '/api/tasks', { token: alice.token, body }), 400);
    });

    it('should answer 400 when a log message or error message is over 2000 characters', async () => {
      expectProblem(await call(t.url, 'POST', `/api/tasks/${aliceTask.id}/logs`, { token: alice.token, body: { message: 'x'.repeat(2001) } }), 400);
      expectProblem(await call(t.url, 'PATCH', `/api/tasks/${aliceTask.id}`, { token: alice.token, body: { errorMessage: 'x'.repeat(2001) } }), 400);
    });

    it('should keep only the newest 200 log entries when a client appends without end', async () => {
      const task = (await call(t.url, 'POST', '/api/tasks', { token: alice.token, body: { title: 'chatty' } })).body as Task;
      for (let batch = 0; batch < 21; batch += 1) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => call(t.url, 'POST', `/api/tasks/${task.id}/logs`, { token: alice.token, body: { message: `line ${batch * 10 + i}` } })));
      }
      const after = (await call(t.url, 'GET', `/api/tasks/${task.id}`, { token: alice.token })).body as Task;
      expect(after.logCount).toBe(200);
      expect(after).not.toHaveProperty('logs');
    });

    it('should keep answering other clients and bound slow requests when slowloris connections trickle their headers', async () => {
      const server = t.app.getHttpServer();
      // The server gives up on a request whose headers/body do not arrive in time.
      expect(server.headersTimeout).toBeGreaterThan(0);
      expect(server.requestTimeout).toBeGreaterThan(0);
      expect(server.requestTimeout).toBeLessThanOrEqual(60_000);
      const { port } = server.address() as { port: number };
      const slow: NetSocket[] = [];
      for (let i = 0; i < 30; i += 1) {
        const socket = netConnect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write('GET /api/health/live HTTP/1.1\r\nHost: x\r\n');
        slow.push(socket);
      }
      const drip = setInterval(() => slow.forEach((socket) => socket.write(`X-Drip-${randomUUID().slice(0, 4)}: 1\r\n`)), 200);
      try {
        const answers = await Promise.all(Array.from({ length: 10 }, () => call(t.url, 'GET', '/api/tasks', { token: alice.token, timeoutMs: 10_000 })));
        expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      } finally {
        clearInterval(drip);
        slow.forEach((socket) => socket.destroy());
      }
    });
  });

  describe('API5 broken function-level authorization', () => {
    it('should require a token on every documented operation except health, register and login', async () => {
      const openapi = await OpenApiValidator.fetch(t.url);
      const publicOps = new Set([
        'post /api/auth/register',
        'post /api/auth/login',
        'get /api/health/live',
        'get /api/health/ready',
        'get /api/docs',
        'get /api/openapi.json',
        'get /api/problems/{kind}',
      ]);
      let checked = 0;
      for (const [template, operations] of Object.entries(openapi.document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          // The document says which operations are public; it must say so for these and only these.
          const security: unknown = (operation as { security?: unknown }).security;
          const declaredPublic = Array.isArray(security) && security.length === 0;
          expect(declaredPublic, `${method} ${template} security`).toBe(publicOps.has(`${method} ${template}`));
          if (publicOps.has(`${method} ${template}`)) continue;
          const response = await call(t.url, method.toUpperCase(), template.replace('{id}', aliceTask.id), { body: ['post', 'put', 'patch'].includes(method) ? {} : undefined });
          expectProblem(response, 401);
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(10);
    });

    it.each([
      ['DELETE', '/api/tasks'],
      ['PUT', '/api/tasks'],
      ['PATCH', '/api/tasks'],
      ['GET', '/api/users'],
      ['GET', '/api/admin'],
      ['DELETE', '/api/auth/me'],
      ['GET', '/api/tasks/all'],
    ])('should answer 404 or 405 as a problem when a client tries %s %s', async (method, path) => {
      const response = await call(t.url, method, path, { token: alice.token });
      expect([400, 404, 405]).toContain(response.status);
      expect(response.contentType).toMatch(/^application\/problem\+json/);
      expect(await t.prisma.task.count({ where: { userId: alice.id, deletedAt: null } })).toBeGreaterThan(0);
    });
  });

  describe('API8 security misconfiguration', () => {
    it('should send the security headers and no X-Powered-By on API answers', async () => {
      for (const response of [await call(t.url, 'GET', '/api/health/live'), await call(t.url, 'GET', '/api/tasks', { token: alice.token }), await call(t.url, 'GET', '/api/nope')]) {
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBeTruthy();
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(response.headers.get('strict-transport-security')).toBeTruthy();
        expect(response.headers.get('referrer-policy')).toBeTruthy();
        expect(response.headers.get('x-powered-by')).toBeNull();
      }
    });

    it('should allow CORS only for the configured origin', async () => {
      const preflight = (origin: string) =>
        call(t.url, 'OPTIONS', '/api/tasks', { headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
      const allowed = await preflight(ALLOWED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      const evil = await preflight('https://evil.example.net');
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await call(t.url, 'GET', '/api/health/live', { headers: { origin: 'https://evil.example.net' } });
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('should answer malformed requests with problems that carry no stack, SQL or internal names', async () => {
      const responses = [
        await call(t.url, 'POST', '/api/tasks', { token: alice.token, rawBody: '{"title": ', headers: { 'content-type': 'application/json' } }),
        await call(t.url, 'POST', '/api/tasks', { token: alice.token, rawBody: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        await call(t.url, 'GET', "/api/tasks/1' OR '1'='1", { token: alice.token }),
        await call(t.url, 'GET', '/api/tasks?sort=title;DROP TABLE tasks', { token: alice.token }),
        await call(t.url, 'GET', `/api/tasks/${'a'.repeat(500)}`, { token: alice.token }),
        await call(t.url, 'GET', '/api/%E0%A4%A', { token: alice.token }),
      ];
      for (const response of responses) {
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.contentType, response.text).toMatch(/^application\/problem\+json/);
        expect(response.text).not.toMatch(/(\n\s+at |node_modules|prisma|SELECT|\.ts:\d+|"stack"|FST_)/i);
      }
    });

    it('should serve the docs when API_DOCS_ENABLED is true (docs-exposure.spec.ts checks false)', async () => {
      expect((await call(t.url, 'GET', '/api/openapi.json')).status).toBe(200);
      expect((await call(t.url, 'GET', '/api/docs')).status).toBe(200);
    });
  });

  describe('API9 improper inventory management', () => {
    /** METHOD /path for every route Fastify serves, read from its route tree. */
    function servedRoutes(): string[] {
      const tree = t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
      const stack: string[] = [];
      const routes: string[] = [];
      for (const line of tree.split('\n')) {
        const match = /^([│ ├└─]*)(\S.*?) \(([^)]+)\)$/.exec(line);
        if (!match) continue;
        const depth = Math.round(match[1]!.length / 4);
        stack.length = depth;
        stack[depth] = match[2]!;
        const path = stack.join('').replace(/\/+/g, '/');
        for (const method of match[3]!.split(',').map((m) => m.trim())) routes.push(`${method} ${path}`);
      }
      return routes;
    }

    it('should document every API route it serves and serve every route it documents', async () => {
      const openapi = await OpenApiValidator.fetch(t.url);
      const served = servedRoutes()
        // /api/docs/ and the docs page's assets (scripts, styles) under it are the UI, not API operations.
        .filter((route) => / \/api\//.test(route) && !/ \/api\/docs\//.test(route))
        .filter((route) => !route.startsWith('HEAD ') && !route.startsWith('OPTIONS '))
        .map((route) => route.replace(/:(\w+)/g, '{$1}'));
      const documented = Object.entries(openapi.document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
      expect(served.length).toBeGreaterThanOrEqual(12);
      expect([...served].sort()).toEqual([...documented].sort());
    });

    it('should describe every answer the fuzzers saw with the document (error responses included)', async () => {
      const openapi = await OpenApiValidator.fetch(t.url);
      const samples: [string, string, Exchange][] = [
        ['GET', `/api/tasks/${aliceTask.id}`, await call(t.url, 'GET', `/api/tasks/${aliceTask.id}`, { token: alice.token })],
        ['GET', '/api/tasks', await call(t.url, 'GET', '/api/tasks', { token: alice.token })],
        ['GET', `/api/tasks/${randomUUID()}`, await call(t.url, 'GET', `/api/tasks/${randomUUID()}`, { token: alice.token })],
        ['POST', '/api/tasks', await call(t.url, 'POST', '/api/tasks', { token: alice.token, body: {} })],
        ['GET', '/api/auth/me', await call(t.url, 'GET', '/api/auth/me', { token: alice.token })],
      ];
      for (const [method, path, response] of samples) expect(openapi.check(method, path, response.status, response.body), `${response.status} ${response.text}`).toBeUndefined();
    });
  });
});
