import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Tests run on PostgreSQL when DATABASE_URL is set (a server to create throwaway databases on)
 * and on embedded PGlite otherwise, each test file in a database of its own.
 */
export const serverUrl: string | undefined = process.env.DATABASE_URL || undefined;
export const usingPostgres = serverUrl !== undefined;

export interface ThrowawayDatabase {
  /** DATABASE_URL for the app, undefined for PGlite. */
  databaseUrl: string | undefined;
  /** DATA_DIR for the app (PGlite files, generated secrets). */
  dataDir: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh empty PostgreSQL database on the test server. */
export async function createPostgresDatabase(prefix = 'tasks_test'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('DATABASE_URL is not set');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (!usingPostgres) return { databaseUrl: undefined, dataDir, drop: async () => removeDir() };
  const db = await createPostgresDatabase();
  return {
    databaseUrl: db.url,
    dataDir,
    drop: async () => {
      await db.drop();
      removeDir();
    },
  };
}
