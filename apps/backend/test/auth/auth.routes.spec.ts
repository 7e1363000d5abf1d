import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authResponseSchema, problemSchema, userSchema } from '@tasks/schemas';
import { newUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('auth routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/auth/register', () => {
    it('should return 201 with a bearer token and the user when the body is valid', async () => {
      const res = await call(t.url, 'POST', '/api/auth/register', {
        body: { email: 'new.user@example.com', password: 'correct horse battery' },
      });
      expect(res.status).toBe(201);
      const body = authResponseSchema.parse(res.body);
      expect(body.tokenType).toBe('Bearer');
      expect(body.expiresIn).toBe(86_400);
      expect(body.user.email).toBe('new.user@example.com');
      expect(Object.keys(body.user).sort()).toEqual(['createdAt', 'email', 'id']);
      const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: body.user.id } });
      expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect(stored.createdAt.toISOString()).toBe(body.user.createdAt);
    });

    it('should return 409 and keep one account when the email is registered again', async () => {
      const first = await newUser(t);
      const res = await call(t.url, 'POST', '/api/auth/register', { body: { email: first.email, password: 'another-password' } });
      expect(res.status).toBe(409);
      expect(res.contentType).toContain('application/problem+json');
      expect(problemSchema.parse(res.body).detail).toBe('An account with this email already exists.');
      expect(await t.prisma.user.count({ where: { email: first.email } })).toBe(1);
    });

    it('should fold case and trim the email when registering and logging in', async () => {
      const res = await call(t.url, 'POST', '/api/auth/register', {
        body: { email: '  Mixed.Case@Example.COM ', password: 'password-123' },
      });
      expect(res.status).toBe(201);
      expect(authResponseSchema.parse(res.body).user.email).toBe('mixed.case@example.com');

      const again = await call(t.url, 'POST', '/api/auth/register', {
        body: { email: 'MIXED.case@example.com', password: 'password-456' },
      });
      expect(again.status).toBe(409);

      const login = await call(t.url, 'POST', '/api/auth/login', {
        body: { email: ' MIXED.CASE@EXAMPLE.com', password: 'password-123' },
      });
      expect(login.status).toBe(200);
      expect(await t.prisma.user.count({ where: { email: { contains: 'mixed.case', mode: 'insensitive' } } })).toBe(1);
    });

    it('should give one 201 and one 409 when the same email registers twice at once', async () => {
      const email = `race-${Date.now()}@example.com`;
      const results = await Promise.all(
        [0, 1].map(() => call(t.url, 'POST', '/api/auth/register', { body: { email, password: 'racing-password' } })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await t.prisma.user.count({ where: { email } })).toBe(1);
    });
  });

  describe('POST /api/auth/login', () => {
    it('should return 200 with a working token when the credentials are right', async () => {
      const user = await newUser(t);
      const res = await call(t.url, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
      expect(res.status).toBe(200);
      const body = authResponseSchema.parse(res.body);
      expect(body.user.id).toBe(user.id);
      expect(body.accessToken).not.toBe(user.token);
      const me = await call(t.url, 'GET', '/api/auth/me', { token: body.accessToken });
      expect(me.status).toBe(200);
    });

    it('should return the same 401 when the password is wrong or the email is unknown', async () => {
      const user = await newUser(t);
      const wrongPassword = await call(t.url, 'POST', '/api/auth/login', {
        body: { email: user.email, password: 'not-the-password' },
      });
      const unknownEmail = await call(t.url, 'POST', '/api/auth/login', {
        body: { email: `nobody-${Date.now()}@example.com`, password: user.password },
      });
      for (const res of [wrongPassword, unknownEmail]) {
        expect(res.status).toBe(401);
        expect(res.contentType).toContain('application/problem+json');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      const a = problemSchema.parse(wrongPassword.body);
      const b = problemSchema.parse(unknownEmail.body);
      expect(a.detail).toBe('The email or password is incorrect.');
      expect({ ...a, requestId: '' }).toEqual({ ...b, requestId: '' });
    });
  });

  describe('GET /api/auth/me', () => {
    it('should return the caller without any secret when the token is valid', async () => {
      const user = await newUser(t);
      const res = await call(t.url, 'GET', '/api/auth/me', { token: user.token });
      expect(res.status).toBe(200);
      const me = userSchema.parse(res.body);
      expect(me).toEqual({ id: user.id, email: user.email, createdAt: expect.any(String) as string });
    });

    it('should return 401 with WWW-Authenticate when no token is sent', async () => {
      const res = await call(t.url, 'GET', '/api/auth/me');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(problemSchema.parse(res.body).detail).toMatch(/No access token/);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('should return 204 and make the presented token fail at once when logging out', async () => {
      const user = await newUser(t);
      const other = await call(t.url, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password } });
      const otherToken = authResponseSchema.parse(other.body).accessToken;

      const res = await call(t.url, 'POST', '/api/auth/logout', { token: user.token });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');

      const after = await call(t.url, 'GET', '/api/auth/me', { token: user.token });
      expect(after.status).toBe(401);
      expect(problemSchema.parse(after.body).detail).toMatch(/revoked/);
      const again = await call(t.url, 'POST', '/api/auth/logout', { token: user.token });
      expect(again.status).toBe(401);
      // Per-token revocation: the user's other session keeps working.
      expect((await call(t.url, 'GET', '/api/auth/me', { token: otherToken })).status).toBe(200);
    });

    it('should answer 204 or 401, never 500, and revoke once when one token logs out twice at once', async () => {
      const user = await newUser(t);
      const results = await Promise.all([0, 1, 2].map(() => call(t.url, 'POST', '/api/auth/logout', { token: user.token })));
      const statuses = results.map((r) => r.status);
      expect(statuses).toContain(204);
      expect(statuses.every((status) => status === 204 || status === 401)).toBe(true);
      expect(await t.prisma.revokedToken.count({ where: { userId: user.id } })).toBe(1);
      expect((await call(t.url, 'GET', '/api/auth/me', { token: user.token })).status).toBe(401);
    });

    it('should return 401 when no token is sent', async () => {
      const res = await call(t.url, 'POST', '/api/auth/logout');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('should purge revocations of expired tokens on a logout, at most once a minute', async () => {
      const fresh = await startTestApp();
      try {
        const user = await newUser(fresh);
        const expired = new Date(Date.now() - 1000);
        const stale = '00000000-0000-4000-8000-000000000001';
        await fresh.prisma.revokedToken.create({ data: { jti: stale, userId: user.id, expiresAt: expired } });
        expect((await call(fresh.url, 'POST', '/api/auth/logout', { token: user.token })).status).toBe(204);
        expect(await fresh.prisma.revokedToken.findUnique({ where: { jti: stale } })).toBeNull();
        expect(await fresh.prisma.revokedToken.count({ where: { userId: user.id } })).toBe(1);
        // The next logout within the minute leaves the purge alone: logout stays one INSERT.
        const other = await newUser(fresh);
        const later = '00000000-0000-4000-8000-000000000002';
        await fresh.prisma.revokedToken.create({ data: { jti: later, userId: other.id, expiresAt: expired } });
        expect((await call(fresh.url, 'POST', '/api/auth/logout', { token: other.token })).status).toBe(204);
        expect(await fresh.prisma.revokedToken.findUnique({ where: { jti: later } })).not.toBeNull();
      } finally {
        await fresh.close();
      }
    });
  });

  it('should keep health routes public when the global guard is on', async () => {
    expect((await call(t.url, 'GET', '/api/health/live')).status).toBe(200);
  });
});
