import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '@tasks/schemas';
import { ARGON2_OPTIONS } from '../../src/auth/password.hasher.js';
import { call, type Exchange } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const NFC = 'caf\u00e9-password';
const NFD = 'cafe\u0301-password';

describe('password normalisation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (email: string, password: string): Promise<Exchange> =>
    call(t.url, 'POST', '/api/auth/register', { body: { email, password } });
  const login = (email: string, password: string): Promise<Exchange> =>
    call(t.url, 'POST', '/api/auth/login', { body: { email, password } });
  const newEmail = () => `pw-${randomUUID()}@example.com`;

  it.each([
    ['a lone high surrogate', '\ud800'.repeat(8)],
    ['a lone low surrogate', '\udfff'.repeat(8)],
    ['a reversed pair', `abcdefgh\udc00\ud800`],
  ])('should return 400 naming password and store nothing when the password holds %s', async (_name, password) => {
    const email = newEmail();
    for (const res of [await register(email, password), await login(email, password)]) {
      expect(res.status).toBe(400);
      const problem = problemSchema.parse(res.body);
      expect(problem.errors?.map((e) => e.path)).toEqual(['password']);
    }
    expect(await t.prisma.user.count({ where: { email } })).toBe(0);
  });

  it('should accept a surrogate pair (an emoji) when it is well formed', async () => {
    const email = newEmail();
    expect((await register(email, 'emoji-\u{1F511}-password')).status).toBe(201);
    expect((await login(email, 'emoji-\u{1F511}-password')).status).toBe(200);
  });

  it('should count characters as the document does: 128 emoji are a valid password', async () => {
    const email = newEmail();
    const password = '\u{1F511}'.repeat(128);
    expect((await register(email, password)).status).toBe(201);
    expect((await login(email, password)).status).toBe(200);
  });

  it('should treat NFC and NFD forms as one password when a user registers with one and logs in with the other', async () => {
    const email = newEmail();
    expect((await register(email, NFC)).status).toBe(201);
    expect((await login(email, NFD)).status).toBe(200);
    const other = newEmail();
    expect((await register(other, NFD)).status).toBe(201);
    expect((await login(other, NFC)).status).toBe(200);
    // Compatibility forms too: full-width letters are the ASCII ones.
    const wide = newEmail();
    expect((await register(wide, '\uff50\uff41\uff53\uff53-word-1')).status).toBe(201);
    expect((await login(wide, 'pass-word-1')).status).toBe(200);
    expect((await login(wide, 'pass-word-2')).status).toBe(401);
  });

  it('should still accept an old hash of a raw, not normalised password when its owner types it as before', async () => {
    // Stored before normalisation: argon2 of the NFD form as sent.
    const email = newEmail();
    await t.prisma.user.create({ data: { email, passwordHash: await argon2.hash(NFD, ARGON2_OPTIONS) } });
    expect((await login(email, NFD)).status).toBe(200);
    expect((await login(email, 'cafe-password')).status).toBe(401);
    // An old hash of an already-normalised password works in any form.
    const ascii = newEmail();
    await t.prisma.user.create({ data: { email: ascii, passwordHash: await argon2.hash(NFC, ARGON2_OPTIONS) } });
    expect((await login(ascii, NFC)).status).toBe(200);
    expect((await login(ascii, NFD)).status).toBe(200);
  });
});
