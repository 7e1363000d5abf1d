import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser } from '../support/factories.js';
import { call, type Exchange } from '../support/http-client.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

describe('auth secrets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('should never put the password, its hash or the secret in a response or log line when a user goes through every route', async () => {
    const password = 'Unique-Pa55word-For-Leak-Check';
    const user = await newUser(t, { password });
    const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    const hashBody = stored.passwordHash.split('$').at(-1) ?? stored.passwordHash;

    const responses: Exchange[] = [
      await call(t.url, 'POST', '/api/auth/register', { body: { email: user.email, password } }),
      await call(t.url, 'POST', '/api/auth/login', { body: { email: user.email, password } }),
      await call(t.url, 'POST', '/api/auth/login', { body: { email: user.email, password: `${password}-wrong` } }),
      await call(t.url, 'POST', '/api/auth/login', { body: { email: 'nobody@example.com', password } }),
      await call(t.url, 'POST', '/api/auth/login', { body: { email: 'not-an-email', password } }),
      await call(t.url, 'POST', '/api/auth/register', { body: { email: user.email, password, extra: password } }),
      await call(t.url, 'POST', '/api/auth/register', {
        rawBody: `{"email":"${user.email}","password":"${password}"`,
        headers: { 'content-type': 'application/json' },
      }),
      await call(t.url, 'GET', '/api/auth/me', { headers: user.headers }),
      await call(t.url, 'POST', '/api/auth/logout', { headers: user.headers }),
      await call(t.url, 'GET', '/api/auth/me', { headers: user.headers }),
    ];
    expect(responses.map((r) => r.status)).toEqual([409, 200, 401, 401, 400, 400, 400, 200, 204, 401]);

    const logText = JSON.stringify(t.logs);
    expect(t.logs.length).toBeGreaterThan(10);
    for (const text of [...responses.map((r) => r.text + JSON.stringify([...r.headers])), logText]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(hashBody);
      expect(text).not.toContain('$argon2id$');
      expect(text).not.toContain(TEST_JWT_SECRET);
    }
    // Tokens are credentials too: they appear in responses, never in logs.
    expect(logText).not.toContain(user.token);
    expect(logText).not.toContain(user.token.split('.')[2]);
  });
});
