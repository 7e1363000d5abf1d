import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '@tasks/schemas';
import { newUser, type TestUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

// A token the guard accepted once skips passport afterwards (VerifiedTokens): these are the checks
// that must still happen on every later request with the same token.
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

function sign(payload: Record<string, unknown>): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', TEST_JWT_SECRET).update(input).digest('base64url')}`;
}

describe('a token after its first accepted request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (token: string) => call(t.url, 'GET', '/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
  async function refused(token: string): Promise<string> {
    const res = await me(token);
    expect(res.status).toBe(401);
    return problemSchema.parse(res.body).detail ?? '';
  }
  async function accepted(user: TestUser, token = user.token): Promise<void> {
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id });
  }

  it('should refuse it as expired once its exp has passed', async () => {
    const user = await newUser(t);
    const exp = now() + 2;
    const token = sign({ sub: user.id, jti: randomUUID(), iat: now(), exp, iss: 'tasks-api', aud: 'tasks-api' });
    await accepted(user, token);
    await accepted(user, token);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    expect(await refused(token)).toMatch(/has expired/);
  });

  it('should refuse it as revoked once it was logged out, and as gone once its user was deleted', async () => {
    const leaving = await newUser(t);
    await accepted(leaving);
    expect((await call(t.url, 'POST', '/api/auth/logout', { headers: leaving.headers })).status).toBe(204);
    expect(await refused(leaving.token)).toMatch(/revoked/);

    const doomed = await newUser(t);
    await accepted(doomed);
    await t.prisma.user.delete({ where: { id: doomed.id } });
    expect(await refused(doomed.token)).toMatch(/no longer exists/);
  });

  it('should refuse another signature or an altered payload on the same token', async () => {
    const user = await newUser(t);
    await accepted(user);
    const [header, payload, signature] = user.token.split('.') as [string, string, string];
    const otherSignature = createHmac('sha256', 'another-secret-that-is-long-enough-0123456789').update(`${header}.${payload}`).digest('base64url');
    expect(await refused(`${header}.${payload}.${otherSignature}`)).toMatch(/signature is invalid/);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(await refused(`${header}.${b64url({ ...claims, sub: randomUUID() })}.${signature}`)).toMatch(/signature is invalid/);
    await accepted(user);
  });

  it("should answer each user with their own identity when many users' tokens are in use at once", async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser(t)));
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(users.map((user) => me(user.token)));
      expect(answers.map((res) => (res.body as { id?: string }).id)).toEqual(users.map((user) => user.id));
    }
  });
});
