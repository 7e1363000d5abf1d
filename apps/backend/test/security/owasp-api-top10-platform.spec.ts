/**
 * The OWASP API Security Top 10 (2023), API4, API5, API8 and API9,
 * each attack run against the real application (HTTP and Socket.IO).
 */
import { randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket as NetSocket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Task } from '@tasks/schemas';
import { type TestUser } from '../support/factories.js';
import { call, type Exchange } from '../support/http-client.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { type TestApp } from '../support/test-app.js';
import { ALLOWED_ORIGIN, expectProblem, startOwaspApp } from './support/owasp.js';

describe('OWASP API Security Top 10 (2023): API4, API5, API8, API9', () => {
  let t: TestApp;
  let alice: TestUser;
  let aliceTask: Task;

  beforeAll(async () => {
    ({ t, alice, aliceTask } = await startOwaspApp());
  }, 120_000);

  afterAll(async () => {
    await t?.close();
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
