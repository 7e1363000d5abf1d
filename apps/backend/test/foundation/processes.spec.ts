import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/database/migrator.js';
import { createPostgresDatabase, createThrowawayDatabase, usePostgresServer } from '../support/databases.js';
import { ensureBuilt, spawnBackend, type BackendProcess, type Exit } from './support/backend-process.js';

const JWT_SECRET = 'process-test-secret-long-enough-for-hs256-0123456789';

/** Resolves with the exit, or rejects when the process is still running after `ms`. */
function exitWithin(backend: BackendProcess, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    backend.exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running ${ms} ms after SIGTERM:\n${backend.output()}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('the built server process', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(ensureBuilt, 180_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tasks-proc-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const spawn = async (env: Record<string, string>) => {
    const backend = await spawnBackend(env);
    cleanups.push(async () => {
      backend.kill();
      await backend.exited;
    });
    return backend;
  };

  it('should exit 1 naming every bad variable when the environment is invalid', async () => {
    const backend = await spawn({ DATA_DIR: tempDir(), PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x/y' });

    expect(await exitWithin(backend, 20_000)).toEqual({ code: 1, signal: null });
    const output = backend.output();
    expect(output).toContain('Invalid configuration:');
    expect(output).toMatch(/- PORT: must be a whole number/);
    expect(output).toMatch(/- LOG_LEVEL: /);
    expect(output).toMatch(/- DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//);
  });

  it('should exit 1 naming JWT_SECRET when NODE_ENV is production and JWT_SECRET is unset', async () => {
    const backend = await spawn({ DATA_DIR: tempDir(), NODE_ENV: 'production' });

    expect(await exitWithin(backend, 20_000)).toEqual({ code: 1, signal: null });
    expect(backend.output()).toContain('JWT_SECRET: required in production (at least 32 bytes)');
  });

  it('should finish an in-flight request, refuse new ones and exit 0 when sent SIGTERM', async () => {
    const database = await createThrowawayDatabase();
    cleanups.push(() => database.drop());
    const backend = await spawn({
      DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      JWT_SECRET,
      // debug: the request's arrival line (below) is how the test knows the server has it.
      LOG_LEVEL: 'debug',
    });
    await backend.ready();

    // A request whose body is only half sent: the server has it in hand, and cannot finish it yet.
    const requestId = `inflight-${randomUUID()}`;
    const body = JSON.stringify({ email: `${requestId}@example.com`, password: 'correct horse battery staple' });
    const socket = connect(Number(new URL(backend.url).port), '127.0.0.1');
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(
      `POST /api/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n\r\n${body.slice(0, 20)}`,
    );
    await backend.waitForLog((line) => line.reqId === requestId);

    backend.child.kill('SIGTERM');
    await backend.waitForLog((line) => String(line.msg).startsWith('shutting down'));

    // New connections are refused (or answered 503 while the listener closes).
    const late = await fetch(`${backend.url}/api/health/live`, { signal: AbortSignal.timeout(5_000) }).then(
      (res) => res.status,
      (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.name,
    );
    expect([503, 'ECONNREFUSED', 'ECONNRESET']).toContain(late);

    socket.write(body.slice(20));
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 201 /);
    expect(response).toContain(`"email":"${requestId}@example.com"`);
    expect(await exitWithin(backend, 10_000), backend.output()).toEqual({ code: 0, signal: null });
    expect(backend.logs().some((line) => line.msg === 'shutdown complete')).toBe(true);
  });

  // Two processes on one database: PostgreSQL only (a private server in the PGlite run).
  describe('on PostgreSQL', () => {
    const serverUrl = usePostgresServer();

    it('should bring both up and record each migration once when two instances start together on an empty database', async () => {
      const db = await createPostgresDatabase('tasks_twostart', serverUrl());
      cleanups.push(() => db.drop());
      const env = { DATABASE_URL: db.url, JWT_SECRET, LOG_LEVEL: 'info' };

      const [a, b] = await Promise.all([spawn({ ...env, DATA_DIR: tempDir() }), spawn({ ...env, DATA_DIR: tempDir() })]);
      await Promise.all([a.ready(), b.ready()]);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ migration_name: string; n: number }>(
          `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations"
           WHERE finished_at IS NOT NULL GROUP BY migration_name ORDER BY migration_name`,
        );
        expect(rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, n: 1 })));
        const { rows: all } = await client.query(`SELECT 1 FROM "_prisma_migrations"`);
        expect(all).toHaveLength(readMigrations().length);
      } finally {
        await client.end();
      }
      // Exactly one of them applied the migrations; both logged which database they use.
      const applied = [a, b].map((p) => p.logs().filter((l) => String(l.msg).startsWith('Applied migration')).length);
      expect(applied.sort()).toEqual([0, readMigrations().length]);
      for (const p of [a, b]) expect(p.logs().some((l) => String(l.msg).startsWith('Using PostgreSQL at'))).toBe(true);

      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await Promise.all([exitWithin(a, 10_000), exitWithin(b, 10_000)])).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
    });
  });
});
