import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { problemSchema } from '@tasks/schemas';
import { AuthRepository } from '../../src/auth/auth.repository.js';
import { AuthService } from '../../src/auth/auth.service.js';
import { PasswordHasher } from '../../src/auth/password.hasher.js';
import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { newUser } from '../support/factories.js';
import { parsePrometheusText, type Sample, valueOf } from '../support/prometheus-text.js';
import { call, type Exchange } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

const login = (t: TestApp, email: string, password: string): Promise<Exchange> =>
  call(t.url, 'POST', '/api/auth/login', { body: { email, password }, timeoutMs: 120_000 });

async function scrape(t: TestApp): Promise<Sample[]> {
  const address = t.app.get(MetricsServer).address();
  if (!address) throw new Error('the metrics server is not listening');
  const response = await fetch(`http://127.0.0.1:${address.port}/metrics`);
  return parsePrometheusText(await response.text());
}

const tally = (responses: readonly Exchange[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
};

const stores = [
  { name: 'memory', env: {} as Record<string, string> },
  { name: 'Redis', env: { REDIS_URL } as Record<string, string> },
];

describe.each(stores)('login limits under concurrency ($name)', ({ env }) => {
  let t: TestApp;
  beforeAll(async () => {
    // Default limits: 10 failed logins per address + email, 50 per address.
    t = await startTestApp({ env: { ...env, AUTH_RATE_LIMIT_KEY_PREFIX: `test-rl-${randomUUID()}`, PASSWORD_HASH_QUEUE: '1000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should let exactly the limit through when 80 wrong guesses for one email arrive at once', async () => {
    const user = await newUser(t);
    const responses = await Promise.all(Array.from({ length: 80 }, (_, i) => login(t, user.email, `wrong-${i}-password`)));
    expect(tally(responses)).toEqual({ 401: 10, 429: 70 });
    for (const res of responses.filter((r) => r.status === 429)) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('ratelimit')).toMatch(/^"login";r=0;t=\d+$/);
    }
  });

  it('should refuse the right password and keep the count when it comes amid a burst past the limit', async () => {
    const user = await newUser(t);
    const pending: Promise<Exchange>[] = [];
    for (let i = 0; i < 60; i += 1) {
      pending.push(login(t, user.email, i === 54 ? user.password : `wrong-${i}-password`));
      // Let the earlier requests reach the server first, as an attacker's burst would.
      if (i === 53) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const responses = await Promise.all(pending);
    expect(responses[54]?.status).toBe(429);
    expect(tally(responses)).toEqual({ 401: 10, 429: 50 });
    // Not reset by the right password: the account stays locked for this address.
    expect((await login(t, user.email, user.password)).status).toBe(429);
  });
});

describe('login limit per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_RATE_LIMIT_LOGIN_ADDRESS: '5' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should return 429 when failed logins from one address use ever-new emails', async () => {
    const user = await newUser(t);
    // Successful logins give their point back: they never count against the address.
    for (let i = 0; i < 6; i += 1) expect((await login(t, user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 5; i += 1) {
      const res = await login(t, `ghost-${randomUUID()}@example.com`, 'wrong-password');
      expect(res.status).toBe(401);
      expect(res.headers.get('ratelimit-policy')).toBe('"login";q=10;w=900, "login_address";q=5;w=900');
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"login";r=9;t=\\d+, "login_address";r=${4 - i};t=\\d+$`));
    }
    const res = await login(t, `ghost-${randomUUID()}@example.com`, 'wrong-password');
    expect(res.status).toBe(429);
    expect(res.contentType).toContain('application/problem+json');
    expect(problemSchema.parse(res.body).detail).toMatch(/^Too many failed logins from this address/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit')).toMatch(/^"login_address";r=0;t=\d+$/);
    // The address is locked out whatever the email, the right password included.
    expect((await login(t, user.email, user.password)).status).toBe(429);
  });

  it('should send RateLimit headers with a registration', async () => {
    const res = await call(t.url, 'POST', '/api/auth/register', {
      body: { email: `rl-${randomUUID()}@example.com`, password: 'long-enough-password' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('ratelimit-policy')).toBe('"register";q=1000000;w=3600');
    expect(res.headers.get('ratelimit')).toMatch(/^"register";r=\d+;t=\d+$/);
  });
});

describe('password hashing queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '2', METRICS_PORT: '0' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer 503 with Retry-After past the queue and refund the attempt when logins flood in', async () => {
    const emails = Array.from({ length: 24 }, () => `flood-${randomUUID()}@example.com`);
    const responses = await Promise.all(emails.map((email) => login(t, email, 'wrong-password')));
    const counts = tally(responses);
    expect(Object.keys(counts).sort()).toEqual(['401', '503']);
    // One hashing and two waiting at most at any time: most of the burst is turned away at once.
    expect(counts[503]).toBeGreaterThan(0);
    for (const res of responses.filter((r) => r.status === 503)) {
      expect(res.contentType).toContain('application/problem+json');
      const problem = problemSchema.parse(res.body);
      expect(problem.type).toBe('/api/problems/unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
    }
    // A refused attempt was never checked, so it does not count as a failed login of its email.
    const refused = emails[responses.findIndex((r) => r.status === 503)] ?? '';
    for (let i = 0; i < 10; i += 1) expect((await login(t, refused, 'wrong-password')).status).toBe(401);
    expect((await login(t, refused, 'wrong-password')).status).toBe(429);
  });

  it('should refuse a sign-in past the queue before its account is looked up', async () => {
    // Every login of the burst passes the queue check before the first one holds a slot; only the
    // ones that get a slot (one hashing, two waiting) may cost a database lookup.
    const lookups = vi.spyOn(t.app.get(AuthRepository, { strict: false }), 'findByEmail');
    try {
      const responses = await Promise.all(
        Array.from({ length: 24 }, () => login(t, `queued-${randomUUID()}@example.com`, 'wrong-password')),
      );
      const counts = tally(responses);
      expect(counts[503]).toBeGreaterThan(0);
      expect(lookups).toHaveBeenCalledTimes(counts[401] ?? 0);
    } finally {
      lookups.mockRestore();
    }
  });

  it('should turn sign-ins and registrations away before their handlers while the queue is full, counted, without a log line each', async () => {
    const repository = t.app.get(AuthRepository, { strict: false });
    const service = t.app.get(AuthService, { strict: false });
    const hasher = t.app.get(PasswordHasher, { strict: false });
    // The one slot is held by a sign-in whose lookup waits; two more sign-ins fill the queue.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const find = repository.findByEmail.bind(repository);
    const lookups = vi.spyOn(repository, 'findByEmail').mockImplementation(async (email) => {
      await held;
      return find(email);
    });
    const signIns = vi.spyOn(service, 'login');
    const registrations = vi.spyOn(service, 'register');
    try {
      const holders = Array.from({ length: 3 }, () => login(t, `holder-${randomUUID()}@example.com`, 'wrong-password'));
      await vi.waitFor(() => expect(hasher.saturated).toBe(true), { timeout: 10_000 });
      const handledBefore = signIns.mock.calls.length;
      const rejectedBefore = valueOf(await scrape(t), 'rate_limit_rejections_total', { limiter: 'password_hash' });
      const linesBefore = t.logs.length;

      const refused = await Promise.all([
        ...Array.from({ length: 40 }, () => login(t, `shed-${randomUUID()}@example.com`, 'wrong-password')),
        ...Array.from({ length: 8 }, () =>
          call(t.url, 'POST', '/api/auth/register', { body: { email: `shed-${randomUUID()}@example.com`, password: 'long enough password' } }),
        ),
      ]);
      for (const res of refused) {
        expect(res.status).toBe(503);
        expect(problemSchema.parse(res.body).type).toBe('/api/problems/unavailable');
        expect(res.headers.get('retry-after')).toBe('1');
      }
      expect(signIns.mock.calls.length).toBe(handledBefore);
      expect(registrations).not.toHaveBeenCalled();
      expect(valueOf(await scrape(t), 'rate_limit_rejections_total', { limiter: 'password_hash' }) - rejectedBefore).toBe(48);
      expect(t.logs.slice(linesBefore).filter((line) => line.msg === 'request failed')).toEqual([]);

      release();
      expect((await Promise.all(holders)).map((r) => r.status)).toEqual([401, 401, 401]);
      expect(lookups).toHaveBeenCalledTimes(3);
    } finally {
      release();
      lookups.mockRestore();
      signIns.mockRestore();
      registrations.mockRestore();
    }
  });
});
