import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';
import { spawnBackend } from '../foundation/support/backend-process.js';
import { newUser } from '../support/factories.js';
import { call, type Exchange } from '../support/http-client.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

const spoofed = (i: number) => ({ 'x-forwarded-for': `10.1.1.${i}, 203.0.113.7` });

describe('TRUST_PROXY configuration', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-trust-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const load = (value: string) => loadConfig({ DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, TRUST_PROXY: value });

  it('should take a hop count, addresses/CIDRs, or false when TRUST_PROXY is set', () => {
    expect(load('1').trustProxy).toBe(1);
    expect(load('0').trustProxy).toBe(false);
    expect(load('false').trustProxy).toBe(false);
    expect(load('10.0.0.0/8, 192.168.1.5,::1, fd00::/8').trustProxy).toEqual(['10.0.0.0/8', '192.168.1.5', '::1', 'fd00::/8']);
  });

  it('should refuse a bare true with a message saying why when TRUST_PROXY=true', () => {
    expect(() => load('true')).toThrow(ConfigError);
    expect(() => load('true')).toThrow(/TRUST_PROXY: "true" would trust every X-Forwarded-For hop, so any client could pick its own address/);
  });

  it.each(['yes', '10.0.0.0/33', 'example.com', '1.2.3'])('should refuse %s when it is neither a hop count nor an address', (value) => {
    expect(() => load(value)).toThrow(/TRUST_PROXY: ".*" is neither a hop count nor an IP address or CIDR/);
  });

  it('should exit 1 at start-up naming TRUST_PROXY when the process gets TRUST_PROXY=true', async () => {
    const backend = await spawnBackend({ DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, TRUST_PROXY: 'true' });
    const exit = await backend.exited;
    expect(exit.code).toBe(1);
    expect(backend.output()).toMatch(/TRUST_PROXY: "true" would trust every X-Forwarded-For hop/);
  });
});

describe.each([
  { name: 'one trusted hop', trust: '1' },
  { name: 'the proxy named by address', trust: '127.0.0.1' },
])('X-Forwarded-For spoofing behind $name', ({ trust }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: trust, AUTH_RATE_LIMIT_LOGIN: '3', AUTH_RATE_LIMIT_REGISTER: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should limit failed logins by the address the proxy saw when the client adds its own hops', async () => {
    const user = await newUser(t);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const res = await call(t.url, 'POST', '/api/auth/login', { body: { email: user.email, password: 'wrong-password' }, headers: spoofed(i) });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
    const right = await call(t.url, 'POST', '/api/auth/login', { body: { email: user.email, password: user.password }, headers: spoofed(99) });
    expect(right.status).toBe(429);
  });

  it('should limit registrations by the address the proxy saw when the client adds its own hops', async () => {
    const register = (i: number): Promise<Exchange> =>
      call(t.url, 'POST', '/api/auth/register', {
        body: { email: `spoof-${randomUUID()}@example.com`, password: 'long-enough-password' },
        headers: { 'x-forwarded-for': `10.2.2.${i}, 198.51.100.9` },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await register(i)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });
});
