import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlSession } from './sql-session.js';

/** prisma/migrations at the repository root (same depth from src/ and dist/). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));

/** The key `prisma migrate` locks on, so our migrator and Prisma's CLI also exclude each other. */
export const ADVISORY_LOCK_KEY = 72_707_369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

interface MigrationRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** Reads `<dir>/<name>/migration.sql` in name order, with Prisma's sha256 checksum of each. */
export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`Migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

// Same table `prisma migrate deploy` creates and fills.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Applies pending migrations the way `prisma migrate deploy` does: under Prisma's advisory lock,
 * one transaction per migration, each recorded in `_prisma_migrations`. Refuses to go on when an
 * applied migration's file has changed or an earlier attempt failed.
 */
export async function migrate(
  session: SqlSession,
  migrations: MigrationFile[] = readMigrations(),
  logger?: MigrationLogger,
): Promise<MigrationResult> {
  await session.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
  try {
    await session.exec(CREATE_TABLE);
    const rows = await session.query<MigrationRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const failed = rows.find((row) => row.finished_at === null);
    if (failed) {
      throw new MigrationError(
        `Migration "${failed.migration_name}" failed on an earlier attempt and left the database in an unknown state. ` +
          `Fix the database by hand, then mark it with \`prisma migrate resolve\` before starting again.`,
      );
    }
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    const files = new Set(migrations.map((m) => m.name));
    for (const name of applied.keys()) {
      if (!files.has(name)) logger?.warn(`Migration "${name}" is recorded in the database but has no file here.`);
    }
    const changed = migrations.filter((m) => applied.has(m.name) && applied.get(m.name) !== m.checksum);
    if (changed.length > 0) {
      throw new MigrationError(
        `Refusing to start: ${changed.map((m) => `"${m.name}"`).join(', ')} changed after being applied ` +
          `(its migration.sql no longer matches the recorded checksum). Restore the original file and put ` +
          `the change in a new migration.`,
      );
    }

    const pending = migrations.filter((m) => !applied.has(m.name));
    for (const migration of pending) {
      await applyOne(session, migration);
      logger?.log(`Applied migration ${migration.name}`);
    }
    return { applied: pending.map((m) => m.name), alreadyApplied: [...applied.keys()] };
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
  }
}

async function applyOne(session: SqlSession, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await session.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await session.exec('BEGIN');
    await session.exec(migration.sql);
    await session.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    await session
      .query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, message])
      .catch(() => undefined);
    throw new MigrationError(`Migration "${migration.name}" failed and was rolled back: ${message}`);
  }
}
