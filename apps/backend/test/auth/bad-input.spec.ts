import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authResponseSchema, problemSchema } from '@tasks/schemas';
import { newUser } from '../support/factories.js';
import { call, type Exchange } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const GOOD_EMAIL = 'valid.person@example.com';
const GOOD_PASSWORD = 'a-valid-password';

const badEmails: [string, unknown][] = [
  ['empty', ''],
  ['blank', '   '],
  ['without @', 'not-an-email'],
  ['without a domain dot', 'a@localhost'],
  ['with a space', 'a b@example.com'],
  ['with two @', 'a@b@example.com'],
  ['with a Cyrillic look-alike', 'аdmin@example.com'],
  ['with fullwidth letters', 'ａdmin@example.com'],
  ['with a zero-width space', 'ad\u200bmin@example.com'],
  ['with a NUL byte', 'admin\u0000@example.com'],
  ['with an IDN look-alike domain', 'admin@exаmple.com'],
  ['with a script payload', '<script>alert(1)</script>@example.com'],
  ['with an SQL payload', "x@example.com' OR '1'='1"],
  ['with an SQL statement', 'x@example.com; DROP TABLE users;--'],
  ['longer than 254 characters', `${'a'.repeat(64)}@${'b'.repeat(200)}.com`],
  ['a number', 12345],
  ['null', null],
  ['an array', [GOOD_EMAIL]],
  ['an object', { email: GOOD_EMAIL }],
  ['a boolean', true],
];

const badPasswords: [string, unknown][] = [
  ['empty', ''],
  ['7 characters', 'short12'],
  ['129 characters', 'p'.repeat(129)],
  ['100 kB', 'p'.repeat(100_000)],
  ['a number', 12345678],
  ['null', null],
  ['an array', [GOOD_PASSWORD]],
];

describe('auth bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function expect400(res: Exchange, path?: string): Promise<void> {
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    const problem = problemSchema.parse(res.body);
    expect(problem.errors?.length).toBeGreaterThan(0);
    if (path !== undefined) expect(problem.errors?.map((e) => e.path)).toContain(path);
    expect(await t.prisma.user.count()).toBe(0);
  }

  const register = (body: unknown): Promise<Exchange> => call(t.url, 'POST', '/api/auth/register', { body });
  const login = (body: unknown): Promise<Exchange> => call(t.url, 'POST', '/api/auth/login', { body });

  describe.each([
    ['register', register],
    ['login', login],
  ])('%s', (_route, send) => {
    it.each(badEmails)('should return 400 naming email and store nothing when the email is %s', async (_name, email) => {
      await expect400(await send({ email, password: GOOD_PASSWORD }), 'email');
    });

    it.each([
      ['empty', {}],
      ['missing the password', { email: GOOD_EMAIL }],
      ['missing the email', { password: GOOD_PASSWORD }],
      ['an array', [GOOD_EMAIL, GOOD_PASSWORD]],
      ['a string', 'email=a@b.io'],
      ['null', null],
      ['a number', 42],
    ])('should return 400 with field errors when the body is %s', async (_name, body) => {
      await expect400(await send(body));
    });

    it.each([['id'], ['userId'], ['isAdmin'], ['createdAt'], ['passwordHash'], ['__proto__x']])(
      'should return 400 naming the field and store nothing when the unknown field %s is sent',
      async (field) => {
        await expect400(await send({ email: GOOD_EMAIL, password: GOOD_PASSWORD, [field]: 'x' }), field);
      },
    );

    it('should return 400 when the body is not valid JSON', async () => {
      const res = await call(t.url, 'POST', `/api/auth/${_route}`, {
        rawBody: '{"email": "a@b.io", "password": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.contentType).toContain('application/problem+json');
      expect(await t.prisma.user.count()).toBe(0);
    });

    it('should return 400 when no body is sent at all', async () => {
      await expect400(await call(t.url, 'POST', `/api/auth/${_route}`));
    });

    it('should return 413 and store nothing when the body is larger than 1 MiB', async () => {
      const res = await send({ email: GOOD_EMAIL, password: 'p'.repeat(10 * 1024 * 1024) });
      expect(res.status).toBe(413);
      expect(res.contentType).toContain('application/problem+json');
      expect(problemSchema.parse(res.body).detail).toMatch(/larger than the 1 MiB limit/);
      expect(await t.prisma.user.count()).toBe(0);
    });
  });

  it.each(badPasswords)('should return 400 naming password and store nothing when register gets a password %s', async (_name, password) => {
    await expect400(await register({ email: GOOD_EMAIL, password }), 'password');
  });

  it.each(badPasswords.filter(([name]) => name !== '7 characters'))(
    'should return 400 naming password when login gets a password %s',
    async (_name, password) => {
      await expect400(await login({ email: GOOD_EMAIL, password }), 'password');
    },
  );

  it('should not echo the rejected value back when a field is invalid', async () => {
    const res = await register({ email: '<script>alert("pwn")</script>', password: 'tiny' });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain('tiny');
  });

  describe('payloads that are valid values', () => {
    it.each([
      ['an SQL payload', "' OR '1'='1'; DROP TABLE users; --"],
      ['a script payload', '<script>alert(1)</script>'],
      ['unicode', 'pässwörd-🔑-密码'],
      ['exactly 128 characters', 'p'.repeat(128)],
    ])('should store only a hash and log in when the password is %s', async (_name, password) => {
      const user = await newUser(t, { password });
      const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.passwordHash.startsWith('$argon2id$')).toBe(true);
      expect(stored.passwordHash).not.toContain(password);
      const res = await login({ email: user.email, password });
      expect(res.status).toBe(200);
      authResponseSchema.parse(res.body);
      await t.prisma.user.delete({ where: { id: user.id } });
    });

    it('should accept an apostrophe when it is part of a real address', async () => {
      const user = await newUser(t, { email: "o'brien@example.com" });
      expect(user.email).toBe("o'brien@example.com");
      await t.prisma.user.delete({ where: { id: user.id } });
    });
  });
});
