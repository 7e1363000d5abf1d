import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '@tasks/schemas';
import { newUser } from '../support/factories.js';
import { call, type Exchange } from '../support/http-client.js';
import { createThrowawayDatabase } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

function login(t: TestApp, email: string, password: string, headers: Record<string, string> = {}): Promise<Exchange> {
  return call(t.url, 'POST', '/api/auth/login', { body: { email, password }, headers });
}

function expect429(res: Exchange, maxSeconds: number): void {
  expect(res.status).toBe(429);
  expect(res.contentType).toContain('application/problem+json');
  expect(problemSchema.parse(res.body).detail).toMatch(/^Too many/);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
}

const stores = [
  { name: 'memory', env: {} as Record<string, string> },
  { name: 'Redis', env: { REDIS_URL } as Record<string, string> },
];

describe.each(stores)('auth rate limits ($name)', ({ name, env }) => {
  const prefix = `test-rl-${randomUUID()}`;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...env, AUTH_RATE_LIMIT_KEY_PREFIX: prefix, AUTH_RATE_LIMIT_LOGIN: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should return 429 with Retry-After when failed logins for one email pass the limit', async () => {
    const user = await newUser(t);
    for (let i = 0; i < 3; i += 1) expect((await login(t, user.email, 'wrong-password')).status).toBe(401);
    expect429(await login(t, user.email, 'wrong-password'), 15 * 60);
    // Even the right password waits: the limit is checked before the password.
    expect429(await login(t, user.email, user.password), 15 * 60);
    // Counted per email: another account from the same address is not locked out.
    const other = await newUser(t);
    expect((await login(t, other.email, other.password)).status).toBe(200);
    if (name === 'Redis') {
      const redis = new Redis(REDIS_URL);
      try {
        expect(await redis.exists(`${prefix}:login:127.0.0.1|${user.email}`)).toBe(1);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('should count failed logins for unknown emails when nobody owns the email', async () => {
    const email = `ghost-${randomUUID()}@example.com`;
    expect((await login(t, email, 'whatever-1')).status).toBe(401);
    expect((await login(t, ` ${email.toUpperCase()}`, 'whatever-2')).status).toBe(401);
    expect((await login(t, email, 'whatever-3')).status).toBe(401);
    expect429(await login(t, email, 'whatever-4'), 15 * 60);
  });

  it('should reset the failed-login count when a login succeeds', async () => {
    const user = await newUser(t);
    for (let i = 0; i < 2; i += 1) expect((await login(t, user.email, 'wrong-password')).status).toBe(401);
    expect((await login(t, user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await login(t, user.email, 'wrong-password')).status).toBe(401);
    expect429(await login(t, user.email, 'wrong-password'), 15 * 60);
  });

  it('should return 429 with Retry-After and store nothing when registrations pass the limit', async () => {
    const limited = await startTestApp({ env: { ...env, AUTH_RATE_LIMIT_KEY_PREFIX: `test-rl-${randomUUID()}`, AUTH_RATE_LIMIT_REGISTER: '2' } });
    try {
      await newUser(limited);
      await newUser(limited);
      const email = `blocked-${randomUUID()}@example.com`;
      const res = await call(limited.url, 'POST', '/api/auth/register', { body: { email, password: 'long-enough-password' } });
      expect429(res, 60 * 60);
      expect(await limited.prisma.user.count({ where: { email } })).toBe(0);
    } finally {
      await limited.close();
    }
  });
});

describe('auth rate limits across instances sharing Redis', () => {
  it('should apply one failed-login budget when two instances share Redis', async () => {
    const database = await createThrowawayDatabase();
    const env = { REDIS_URL, AUTH_RATE_LIMIT_LOGIN: '2', AUTH_RATE_LIMIT_KEY_PREFIX: `test-rl-${randomUUID()}` };
    const a = await startTestApp({ env, database });
    try {
      const user = await newUser(a);
      expect((await login(a, user.email, 'wrong-password')).status).toBe(401);
      expect((await login(a, user.email, 'wrong-password')).status).toBe(401);
      // A second instance with its own database (PGlite cannot be shared) sees the same Redis counters.
      const b = await startTestApp({ env });
      try {
        expect429(await login(b, user.email, 'wrong-password'), 15 * 60);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
      await database.drop();
    }
  });
});

describe('auth rate limits when Redis is down', () => {
  it('should keep limiting logins in memory when Redis does not answer', async () => {
    // Port 1 refuses connections: the Redis limiter fails and its in-memory insurance takes over.
    const t = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1', AUTH_RATE_LIMIT_LOGIN: '2' } });
    try {
      const user = await newUser(t);
      expect((await login(t, user.email, user.password)).status).toBe(200);
      expect((await login(t, user.email, 'wrong-password')).status).toBe(401);
      expect((await login(t, user.email, 'wrong-password')).status).toBe(401);
      expect429(await login(t, user.email, user.password), 15 * 60);
    } finally {
      await t.close();
    }
  });
});
