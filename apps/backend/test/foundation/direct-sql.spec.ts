import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { type Database, openDatabase } from '../../src/prisma/database.js';
import { createThrowawayDatabase, type ThrowawayDatabase, usingPostgres } from '../support/databases.js';

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
