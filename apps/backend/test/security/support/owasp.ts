/** What the OWASP API Top 10 specs share: the app they attack, its users, and the attack tools. */
import { createHmac, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { problemSchema, type Task } from '@tasks/schemas';
import { newUser, type TestUser } from '../../support/factories.js';
import { call, type Exchange } from '../../support/http-client.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../../support/test-app.js';

export const ALLOWED_ORIGIN = 'https://app.example.com';
export const LOGIN_LIMIT = 3;

/** Every task route, with a body that would be valid. */
export const TASK_ROUTES = [
  { method: 'GET', path: (id: string) => `/api/tasks/${id}` },
  { method: 'PATCH', path: (id: string) => `/api/tasks/${id}`, body: { title: 'taken over' } },
  { method: 'PUT', path: (id: string) => `/api/tasks/${id}`, body: { title: 'taken over', description: null, priority: 'LOW', status: 'PENDING' } },
  { method: 'PATCH', path: (id: string) => `/api/tasks/${id}/complete` },
  { method: 'POST', path: (id: string) => `/api/tasks/${id}/logs`, body: { message: 'injected' } },
  { method: 'DELETE', path: (id: string) => `/api/tasks/${id}` },
] as const;

export function expectProblem(response: Exchange, status: number): void {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toMatch(/^application\/problem\+json/);
  expect(problemSchema.safeParse(response.body).success, response.text).toBe(true);
}

export const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs a JWT by hand so every field (alg, claims, key) can be wrong on purpose. */
export function forgeToken(claims: Record<string, unknown>, options: { alg?: string; secret?: string; signature?: string } = {}): string {
  const header = base64url(JSON.stringify({ alg: options.alg ?? 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  if (options.signature !== undefined) return `${header}.${payload}.${options.signature}`;
  const algorithm = options.alg === 'HS512' ? 'sha512' : options.alg === 'HS384' ? 'sha384' : 'sha256';
  const signature = createHmac(algorithm, options.secret ?? TEST_JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export function claimsFor(user: TestUser, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: user.id, iat: now, exp: now + 600, jti: randomUUID(), iss: 'tasks-api', aud: 'tasks-api', ...overrides };
}

export function openSocket(url: string, token: string | undefined): Promise<{ socket: Socket; error?: Error }> {
  const socket = io(`${url}/tasks`, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => resolve({ socket, error }));
  });
}

/** Keys anywhere in a JSON value. */
export function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, into));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysOf(inner, into);
    }
  }
  return into;
}

export interface OwaspApp {
  t: TestApp;
  alice: TestUser;
  bob: TestUser;
  /** Alice's task, the target of the other user's attacks. */
  aliceTask: Task;
}

/** The app with a low login limit, one allowed origin and the API docs on, and two users. */
export async function startOwaspApp(): Promise<OwaspApp> {
  const t = await startTestApp({
    env: { AUTH_RATE_LIMIT_LOGIN: String(LOGIN_LIMIT), CORS_ORIGINS: ALLOWED_ORIGIN, API_DOCS_ENABLED: 'true' },
  });
  const [alice, bob] = [await newUser(t), await newUser(t)];
  const aliceTask = (await call(t.url, 'POST', '/api/tasks', { token: alice.token, body: { title: 'alice private', description: 'salary figures' } })).body as Task;
  return { t, alice, bob, aliceTask };
}
