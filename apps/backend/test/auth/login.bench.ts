// One login's cost on this machine: `npx vitest bench --run test/auth/login.bench.ts` (from apps/backend).
// The bare argon2id verify is the baseline; the two logins show the HTTP + database overhead on top of
// it, and that an unknown email costs the same hash work as a known one.
import argon2 from 'argon2';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { ARGON2_OPTIONS } from '../../src/auth/password.hasher.js';
import { newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const options = { iterations: 20, warmupIterations: 2, time: 0, warmupTime: 0 };

let t: TestApp;
let user: TestUser;
let hash: string;

beforeAll(async () => {
  t = await startTestApp({ env: { AUTH_RATE_LIMIT_LOGIN: '1000000' } });
  user = await newUser(t);
  hash = await argon2.hash(user.password, ARGON2_OPTIONS);
});
afterAll(async () => {
  await t.close();
});

async function login(email: string, password: string, expected: number): Promise<void> {
  const res = await fetch(`${t.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  await res.arrayBuffer();
  if (res.status !== expected) throw new Error(`login answered ${res.status}, expected ${expected}`);
}

describe('login', () => {
  bench('argon2id verify only (baseline)', async () => {
    if (!(await argon2.verify(hash, user.password))) throw new Error('verify failed');
  }, options);

  bench('POST /api/auth/login, right password (200)', async () => {
    await login(user.email, user.password, 200);
  }, options);

  bench('POST /api/auth/login, unknown email (401)', async () => {
    await login('nobody-here@example.com', user.password, 401);
  }, options);
});
