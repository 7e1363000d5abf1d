import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { instrumentPool, instrumentQueryable } from '../tracing/sql-instrumentation.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { type DirectSql, directSqlOn } from './direct-sql.js';
import { migrate, type MigrationLogger } from './migrator.js';
import { PreparedStatements } from './pglite-statements.js';
import { openPgSession, pgliteSession } from './sql-session.js';

export type DatabaseKind = 'postgresql' | 'pglite';

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** The same connection(s) as `prisma`, for the statements that skip its request pipeline. */
  sql: DirectSql;
  /** Where the data lives, safe to log (no credentials). */
  location: string;
  close(): Promise<void>;
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  parsed.password = parsed.password ? '***' : '';
  return parsed.toString();
}

/**
 * Opens the configured database and brings its schema up to date: PostgreSQL through
 * `@prisma/adapter-pg` when DATABASE_URL is set, otherwise the embedded PGlite under DATA_DIR.
 */
export async function openDatabase(
  config: AppConfig,
  logger: MigrationLogger,
  metrics: Metrics = new Metrics(false),
): Promise<Database> {
  if (config.databaseUrl) {
    const session = await openPgSession(config.databaseUrl);
    try {
      await migrate(session, undefined, logger);
    } finally {
      await session.close();
    }
    // One pool for Prisma and DirectSql alike, ended here on close (after Prisma lets go of it).
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      // The database cancels any statement that outlives the request budget.
      statement_timeout: config.tasks.timeoutMs,
      connectionTimeoutMillis: 5_000,
    });
    // An idle connection that dies (server restart, pg_terminate_backend) is dropped by the pool and
    // replaced on the next query; without a listener its 'error' event would crash the process, and
    // DirectSql can use the pool before Prisma has attached its own.
    pool.on('error', (error) => logger.warn(`idle database connection lost: ${error.message}`));
    instrumentPool(pool, metrics);
    const adapter = new PrismaPg(pool, { onPoolError: () => undefined, onConnectionError: () => undefined });
    const prisma = new PrismaClient({ adapter });
    return {
      kind: 'postgresql',
      prisma,
      sql: directSqlOn(pool, config.databasePreparedStatements),
      location: redactUrl(config.databaseUrl),
      close: async () => {
        await prisma.$disconnect();
        if (!pool.ended) await pool.end();
      },
    };
  }

  // One process per data directory: refuses at once when another one uses it (data-dir-lock.ts).
  const lock = acquireDataDirLock(config.dataDir, (stale) =>
    logger.warn(`Took over the lock on ${config.dataDir} left by pid ${stale?.pid ?? '?'}, which is gone`),
  );
  const dir = path.join(config.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir).catch((error: unknown) => {
    lock.release();
    throw error;
  });
  try {
    await migrate(pgliteSession(pglite), undefined, logger);
  } catch (error) {
    await pglite.close();
    lock.release();
    throw error;
  }
  const statements = await PreparedStatements.on(pglite);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    prisma,
    sql: directSqlOn(instrumentQueryable(statements, metrics)),
    location: dir,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close().finally(lock.release);
    },
  };
}
