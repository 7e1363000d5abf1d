import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';

const SECRET = 'a-test-secret-that-is-32-bytes-or-longer';

describe('config', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-config-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The ConfigError message loadConfig throws for `env`. */
  function failure(env: Record<string, string>): string {
    try {
      loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET, ...env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  }

  it('should use the documented defaults when only the required values are set', () => {
    const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET });
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir,
      corsOrigins: [],
      logLevel: 'info',
      jwt: { secret: SECRET, issuer: 'tasks-api', audience: 'tasks-api', expiresInSeconds: 86_400 },
      authRateLimit: { login: 10, register: 20 },
      tasks: { enabled: true, timeoutMs: 10_000, maxConcurrent: 5, logLimit: 200, maxPerUser: 100_000, writeRateLimit: 1200, idempotencyTtlSeconds: 86_400 },
      realtime: { socketsPerUser: 50, socketSlotHeartbeatMs: 10_000, socketSlotTtlMs: 30_000 },
    });
    expect(config.isProduction).toBe(false);
  });

  it('should read every variable when all are set to valid values', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://app:pw@db.internal:5432/tasks',
      REDIS_URL: 'redis://cache:6379',
      DATA_DIR: dataDir,
      JWT_SECRET: SECRET,
      JWT_ISSUER: 'issuer',
      JWT_AUDIENCE: 'audience',
      JWT_EXPIRES_IN: '15m',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT_LOGIN: '3',
      AUTH_RATE_LIMIT_REGISTER: '4',
      TASKS_API_ENABLED: 'false',
      TASKS_API_TIMEOUT: '2500',
      TASKS_MAX_CONCURRENT: '7',
      SOCKETS_PER_USER: '3',
      SOCKETS_PER_USER_HEARTBEAT: '2s',
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://app:pw@db.internal:5432/tasks',
      redisUrl: 'redis://cache:6379',
      jwt: { secret: SECRET, issuer: 'issuer', audience: 'audience', expiresInSeconds: 900 },
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      logLevel: 'warn',
      authRateLimit: { login: 3, register: 4 },
      tasks: { enabled: false, timeoutMs: 2500, maxConcurrent: 7 },
      realtime: { socketsPerUser: 3, socketSlotHeartbeatMs: 2000, socketSlotTtlMs: 6000 },
    });
    expect(config.isProduction).toBe(true);
  });

  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['24h', 86_400],
    ['7d', 604_800],
  ])('should read JWT_EXPIRES_IN=%s as %i seconds when it has a unit or none', (value, seconds) => {
    expect(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET, JWT_EXPIRES_IN: value }).jwt.expiresInSeconds).toBe(seconds);
  });

  it('should treat a blank DATABASE_URL as unset when it is empty', () => {
    expect(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET, DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
  });

  it('should use the defaults when numeric, boolean and text variables are blank', () => {
    const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET, PORT: '', HOST: ' ', TASKS_API_ENABLED: '', LOG_LEVEL: '' });
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.tasks.enabled).toBe(true);
    expect(config.logLevel).toBe('info');
  });

  it.each([
    ['PORT', 'abc', /whole number/],
    ['PORT', '70000', /65535/],
    ['DATABASE_URL', 'mysql://db/tasks', /postgres:\/\/ or postgresql:\/\//],
    ['DATABASE_URL', 'not a url', /URL/],
    ['REDIS_URL', 'http://cache:6379', /redis:\/\/ or rediss:\/\//],
    ['JWT_SECRET', 'too-short', /at least 32 bytes/],
    ['JWT_EXPIRES_IN', 'soon', /duration/],
    ['JWT_EXPIRES_IN', '0', /at least one second/],
    ['CORS_ORIGINS', 'https://ok.example.com,not-an-origin', /"not-an-origin" is not an origin/],
    ['CORS_ORIGINS', 'https://app.example.com/path', /not an origin/],
    ['LOG_LEVEL', 'loud', /fatal.*silent|Invalid option/],
    ['NODE_ENV', 'staging', /development.*production.*test|Invalid option/],
    ['AUTH_RATE_LIMIT_LOGIN', '0', /AUTH_RATE_LIMIT_LOGIN/],
    ['AUTH_RATE_LIMIT_REGISTER', '-5', /whole number/],
    ['TASKS_API_ENABLED', 'maybe', /true or false/],
    ['TASKS_API_TIMEOUT', '1.5', /whole number/],
    ['TASKS_MAX_CONCURRENT', '0', /TASKS_MAX_CONCURRENT/],
  ])('should name %s and why when it is %j', (name, value, reason) => {
    const message = failure({ [name]: value });
    const line = message.split('\n').find((l) => l.includes(`- ${name}:`));
    expect(line, message).toBeDefined();
    expect(line).toMatch(reason);
  });

  it('should name every bad variable in one message when several are bad at once', () => {
    const message = failure({
      NODE_ENV: 'production',
      JWT_SECRET: '',
      PORT: 'abc',
      DATABASE_URL: 'mysql://db/tasks',
      LOG_LEVEL: 'loud',
      TASKS_API_ENABLED: 'maybe',
      CORS_ORIGINS: 'nope',
    });
    expect(message.split('\n')[0]).toBe('Invalid configuration:');
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'TASKS_API_ENABLED', 'CORS_ORIGINS', 'JWT_SECRET']) {
      expect(message).toContain(`- ${name}:`);
    }
    expect(message).toMatch(/JWT_SECRET: required in production/);
  });

  it('should generate a JWT secret, keep it in DATA_DIR and reuse it when JWT_SECRET is unset outside production', () => {
    const first = loadConfig({ DATA_DIR: dataDir });
    const file = path.join(dataDir, 'jwt-secret');

    expect(Buffer.byteLength(first.jwt.secret)).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwt.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: dataDir }).jwt.secret).toBe(first.jwt.secret);
    // An explicit JWT_SECRET wins over the stored one.
    expect(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET }).jwt.secret).toBe(SECRET);
  });

  it('should give different data directories different generated secrets when each is fresh', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'tasks-config-'));
    try {
      expect(loadConfig({ DATA_DIR: dataDir }).jwt.secret).not.toBe(loadConfig({ DATA_DIR: other }).jwt.secret);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('should refuse a stored secret shorter than 32 bytes when the jwt-secret file was truncated', () => {
    writeFileSync(path.join(dataDir, 'jwt-secret'), '\n');
    expect(() => loadConfig({ DATA_DIR: dataDir })).toThrow(/JWT_SECRET: .*shorter than 32 bytes; delete that file/);
  });

  it('should refuse to start without JWT_SECRET when NODE_ENV is production', () => {
    expect(failure({ NODE_ENV: 'production', JWT_SECRET: '' })).toBe(
      'Invalid configuration:\n  - JWT_SECRET: required in production (at least 32 bytes)',
    );
    // Nothing is generated for production.
    expect(() => statSync(path.join(dataDir, 'jwt-secret'))).toThrow();
  });

  it('should refuse a JWT_SECRET of 31 bytes and accept one of 32 when NODE_ENV is production', () => {
    expect(failure({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })).toMatch(/JWT_SECRET: must be at least 32 bytes/);
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(32) }).jwt.secret).toHaveLength(32);
    // Bytes, not characters: 16 two-byte characters are enough.
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, JWT_SECRET: 'é'.repeat(16) }).isProduction).toBe(true);
  });
});
