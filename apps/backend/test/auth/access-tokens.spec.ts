import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '@tasks/schemas';
import { AccessTokenVerifier } from '../../src/auth/access-token.verifier.js';
import { InvalidAccessTokenError } from '../../src/auth/auth.errors.js';
import { newUser, type TestUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { createThrowawayDatabase } from '../support/databases.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand so tests can forge every kind of bad token. */
function forge(
  payload: Record<string, unknown>,
  { header = { alg: 'HS256', typ: 'JWT' }, secret = TEST_JWT_SECRET }: { header?: Record<string, unknown>; secret?: string } = {},
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const algorithm = header.alg === 'HS512' ? 'sha512' : header.alg === 'HS384' ? 'sha384' : 'sha256';
  const signature = header.alg === 'none' ? '' : createHmac(algorithm, secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

const now = (): number => Math.floor(Date.now() / 1000);

function claims(sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub, jti: randomUUID(), iat: now(), exp: now() + 3600, iss: 'tasks-api', aud: 'tasks-api', ...overrides };
}

describe('access tokens', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function expect401(headers: Record<string, string>, detail: RegExp, challenge: RegExp = /error="invalid_token"/) {
    const res = await call(t.url, 'GET', '/api/auth/me', { headers });
    expect(res.status).toBe(401);
    expect(res.contentType).toContain('application/problem+json');
    const problem = problemSchema.parse(res.body);
    expect(problem.detail).toMatch(detail);
    expect(problem.instance).toBe('/api/auth/me');
    const header = res.headers.get('www-authenticate') ?? '';
    expect(header).toMatch(/^Bearer realm="tasks-api"/);
    expect(header).toMatch(challenge);
    expect(res.text).not.toContain(TEST_JWT_SECRET);
    return problem;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('should accept a hand-made token when it is signed and claimed exactly like ours', async () => {
    const res = await call(t.url, 'GET', '/api/auth/me', { headers: bearer(forge(claims(user.id))) });
    expect(res.status).toBe(200);
  });

  it('should accept the scheme in any case when the header says bearer or BEARER', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      const res = await call(t.url, 'GET', '/api/auth/me', { headers: { authorization: `${scheme} ${user.token}` } });
      expect(res.status).toBe(200);
    }
  });

  it('should return 401 "missing" without invalid_token when there is no Authorization header', async () => {
    const res = await call(t.url, 'GET', '/api/auth/me');
    expect(res.status).toBe(401);
    expect(problemSchema.parse(res.body).detail).toBe('No access token: send Authorization: Bearer <token>.');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tasks-api"');
  });

  it.each([
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a bare scheme', 'Bearer'],
    ['two tokens', 'Bearer abc def'],
    ['a token with illegal characters', 'Bearer a.b.c<script>'],
  ])('should return 401 for a malformed header when the header has %s', async (_name, value) => {
    await expect401({ authorization: value }, /Authorization header is malformed/, /error="invalid_request"/);
  });

  it.each([
    ['not a JWT', 'not-a-jwt'],
    ['garbage segments', 'abc.def.ghi'],
    ['two segments', `${b64url({ alg: 'HS256' })}.${b64url({ sub: 'x' })}`],
  ])('should return 401 "malformed" when the token is %s', async (_name, token) => {
    await expect401(bearer(token), /malformed/);
  });

  it('should return 401 "bad signature" when the token is signed with another secret', async () => {
    await expect401(bearer(forge(claims(user.id), { secret: 'another-secret-that-is-long-enough-0123456789' })), /signature is invalid/);
  });

  it('should return 401 "bad signature" when the payload was altered after signing', async () => {
    const [header, , signature] = user.token.split('.');
    const tampered = `${header}.${b64url(claims(randomUUID()))}.${signature}`;
    await expect401(bearer(tampered), /signature is invalid/);
  });

  it.each([
    ['none', { alg: 'none', typ: 'JWT' }],
    ['None', { alg: 'None', typ: 'JWT' }],
    ['HS512', { alg: 'HS512', typ: 'JWT' }],
    ['RS256', { alg: 'RS256', typ: 'JWT' }],
  ])('should return 401 "wrong algorithm" when the token uses alg %s', async (_name, header) => {
    await expect401(bearer(forge(claims(user.id), { header })), /only HS256 is accepted/);
  });

  it('should return 401 "expired" when exp is in the past', async () => {
    await expect401(bearer(forge(claims(user.id, { iat: now() - 7200, exp: now() - 60 }))), /has expired/);
  });

  it('should return 401 "not valid yet" when nbf is in the future', async () => {
    await expect401(bearer(forge(claims(user.id, { nbf: now() + 3600 }))), /not valid yet/);
  });

  it('should return 401 "critical" when the header carries crit (RFC 7515 §4.1.11)', async () => {
    for (const crit of [['exp'], ['b64'], []]) {
      const token = forge(claims(user.id), { header: { alg: 'HS256', typ: 'JWT', crit, b64: true } });
      await expect401(bearer(token), /critical header parameter \(crit\)/);
    }
  });

  it('should return 401 "issued in the future" when iat is past the clock skew', async () => {
    await expect401(bearer(forge(claims(user.id, { iat: now() + 365 * 86_400, exp: now() + 400 * 86_400 }))), /issued in the future/);
    await expect401(bearer(forge(claims(user.id, { iat: now() + 120 }))), /issued in the future/);
  });

  it('should accept a token when iat is ahead by less than the clock skew', async () => {
    const res = await call(t.url, 'GET', '/api/auth/me', { headers: bearer(forge(claims(user.id, { iat: now() + 30 }))) });
    expect(res.status).toBe(200);
  });

  it('should return 401 "wrong issuer" when iss is not ours', async () => {
    await expect401(bearer(forge(claims(user.id, { iss: 'evil-issuer' }))), /another issuer/);
  });

  it('should return 401 "wrong issuer" when iss is absent', async () => {
    const { iss: _iss, ...rest } = claims(user.id);
    await expect401(bearer(forge(rest)), /another issuer/);
  });

  it('should return 401 "wrong audience" when aud is not ours', async () => {
    await expect401(bearer(forge(claims(user.id, { aud: 'other-api' }))), /another audience/);
  });

  it.each([
    ['no jti', { jti: undefined }],
    ['a jti that is not a UUID', { jti: "x' OR 1=1 --" }],
    ['a sub that is not a UUID', { sub: 'admin' }],
    ['no exp', { exp: undefined }],
    ['no iat', { iat: undefined }],
  ])('should return 401 "claims" when the token has %s', async (_name, overrides) => {
    await expect401(bearer(forge(claims(user.id, overrides))), /lacks required claims/);
  });

  it('should return 401 "user gone" when the token names an unknown user', async () => {
    await expect401(bearer(forge(claims(randomUUID()))), /no longer exists/);
  });

  it('should return 401 "user gone" when the user was deleted after the token was issued', async () => {
    const doomed = await newUser(t);
    await t.prisma.user.delete({ where: { id: doomed.id } });
    await expect401(doomed.headers, /no longer exists/);
  });

  it('should return 401 "revoked" when the token was logged out', async () => {
    const leaving = await newUser(t);
    expect((await call(t.url, 'POST', '/api/auth/logout', { headers: leaving.headers })).status).toBe(204);
    await expect401(leaving.headers, /revoked/);
  });

  it('should verify raw tokens with the same rules when the verifier is called directly', async () => {
    const verifier = t.app.get(AccessTokenVerifier);
    const ok = await verifier.verify(user.token);
    expect(ok).toMatchObject({ id: user.id, email: user.email });
    expect(ok.tokenExpiresAt.getTime()).toBeGreaterThan(Date.now());

    const reasons: string[] = [];
    for (const token of [
      forge(claims(user.id), { header: { alg: 'none' } }),
      forge(claims(user.id, { exp: now() - 1 })),
      forge(claims(user.id, { aud: 'x' })),
      forge(claims(randomUUID())),
      'nope',
      forge(claims(user.id), { header: { alg: 'HS256', crit: ['exp'] } }),
      forge(claims(user.id, { iat: now() + 3600 })),
    ]) {
      const error: unknown = await verifier.verify(token).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidAccessTokenError);
      reasons.push((error as InvalidAccessTokenError).reason);
    }
    expect(reasons).toEqual(['wrongAlgorithm', 'expired', 'wrongAudience', 'userGone', 'malformed', 'critical', 'issuedInFuture']);
  });
});

describe('access tokens across instances', () => {
  it('should refuse a token on a second instance when it was logged out on the first', async () => {
    const database = await createThrowawayDatabase();
    try {
      const a = await startTestApp({ database });
      const user = await newUser(a);
      expect((await call(a.url, 'POST', '/api/auth/logout', { headers: user.headers })).status).toBe(204);
      // PGlite is single-process: the second instance opens the same data after the first closed.
      // On PostgreSQL both run at once.
      const concurrent = database.databaseUrl !== undefined;
      if (!concurrent) await a.close();
      const b = await startTestApp({ database });
      try {
        const res = await call(b.url, 'GET', '/api/auth/me', { headers: user.headers });
        expect(res.status).toBe(401);
        expect(problemSchema.parse(res.body).detail).toMatch(/revoked/);
      } finally {
        await b.close();
        if (concurrent) await a.close();
      }
    } finally {
      await database.drop();
    }
  });
});
