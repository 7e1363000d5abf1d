import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { type Database, openDatabase } from '../../src/database/database.js';
import {
  createPostgresDatabase,
  createThrowawayDatabase,
  type ThrowawayDatabase,
  usePostgresServer,
  usingPostgres,
} from '../support/databases.js';

const quiet = { log: () => undefined, warn: () => undefined };

describe(`DirectSql on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let throwaway: ThrowawayDatabase | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close().catch(() => undefined);
    await throwaway?.drop();
    database = undefined;
    throwaway = undefined;
  });

  async function open(): Promise<Database> {
    throwaway = await createThrowawayDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: throwaway.dataDir,
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
      ...(throwaway.databaseUrl ? { DATABASE_URL: throwaway.databaseUrl } : {}),
    });
    database = await openDatabase(config, quiet);
    return database;
  }

  it('should see what the Prisma client wrote, with the same value types, when both share the connection', async () => {
    const { prisma, sql } = await open();
    const user = await prisma.user.create({ data: { email: 'direct@example.com', passwordHash: 'x' } });
    const rows = await sql.query<{ id: string; email: string; created_at: Date; n: number }>(
      Prisma.sql`SELECT id::text, email, created_at, 1::int AS n FROM users WHERE id = ${user.id}::uuid`,
    );
    expect(rows).toEqual([{ id: user.id, email: 'direct@example.com', created_at: user.createdAt, n: 1 }]);
  });

  it('should reject further statements when the database has been closed', async () => {
    const db = await open();
    await db.close();
    await expect(db.sql.query(Prisma.sql`SELECT 1`)).rejects.toThrow();
  });
});

describe('DirectSql on PostgreSQL when idle connections die', () => {
  const serverUrl = usePostgresServer();

  it('should keep the process up and reconnect when the server terminates its idle connections', async () => {
    const throwaway = await createPostgresDatabase('tasks_test', serverUrl());
    const warnings: string[] = [];
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-test-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
      DATABASE_URL: throwaway.url,
    });
    const database = await openDatabase(config, { log: () => undefined, warn: (message) => warnings.push(message) });
    try {
      // Only DirectSql has used the pool: the Prisma client has not connected yet.
      await Promise.all([1, 2, 3].map(() => database.sql.query(Prisma.sql`SELECT pg_sleep(0.05)`)));
      const admin = new pg.Client({ connectionString: serverUrl() });
      await admin.connect();
      const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [throwaway.name]);
      await admin.end();
      expect(rowCount).toBeGreaterThan(0);
      // Each killed connection reports on its own; a query handed one not yet reported would fail.
      await expect.poll(() => warnings.length, { timeout: 5_000 }).toBe(rowCount);
      expect(warnings.every((warning) => warning.includes('idle database connection lost'))).toBe(true);
      expect(await database.sql.query<{ ok: number }>(Prisma.sql`SELECT 1::int AS ok`)).toEqual([{ ok: 1 }]);
    } finally {
      await database.close();
      await throwaway.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
