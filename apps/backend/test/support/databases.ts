import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresDatabase as createPostgresDatabaseOn, type PostgresDatabase } from '@tasks/testkit';
import { afterAll, beforeAll } from 'vitest';
import type { PrismaClient } from '../../src/generated/prisma/client.js';

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

/** A fresh empty PostgreSQL database on the test server. */
export async function createPostgresDatabase(prefix = 'tasks_test', server: string | undefined = serverUrl): Promise<PostgresDatabase> {
  if (!server) throw new Error('DATABASE_URL is not set');
  return createPostgresDatabaseOn(server, prefix);
}

/**
 * A PostgreSQL server for tests that only make sense on PostgreSQL (several connections or
 * processes on one database): the DATABASE_URL server when set, otherwise a private server this
 * test file starts (so the embedded-database run covers them too). Call `release` in afterAll.
 */
export async function postgresServer(): Promise<{ url: string; release(): Promise<void> }> {
  if (serverUrl) return { url: serverUrl, release: async () => undefined };
  const { PrivatePostgres } = await import('./processes.js');
  const server = await PrivatePostgres.create();
  return { url: server.url, release: () => server.dispose() };
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

/**
 * Registers beforeAll/afterAll hooks that start `postgresServer()` for the enclosing describe and
 * release it afterwards; call the returned function inside tests for the server's URL.
 */
export function usePostgresServer(): () => string {
  let server: Awaited<ReturnType<typeof postgresServer>> | undefined;
  beforeAll(async () => {
    server = await postgresServer();
  }, 120_000);
  afterAll(async () => {
    await server?.release();
  });
  return () => {
    if (!server) throw new Error('usePostgresServer: the server is not started yet');
    return server.url;
  };
}

/**
 * Holds the whole embedded database (PGlite serves one connection) in an open transaction for at most
 * `maxMs`, so that the app's next query waits; resolves the returned release once it is let go.
 */
export function holdEmbeddedDatabase(prisma: PrismaClient, maxMs: number): () => Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT 1`;
      await Promise.race([released, new Promise((resolve) => setTimeout(resolve, maxMs))]);
    },
    { timeout: maxMs + 5_000 },
  );
  return async () => {
    release();
    await held;
  };
}
