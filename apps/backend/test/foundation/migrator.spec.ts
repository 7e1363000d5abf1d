import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from '../../src/database/migrator.js';
import { openPgSession } from '../../src/database/sql-session.js';
import { createPostgresDatabase, usePostgresServer } from '../support/databases.js';
import { closeScratchDatabases, createScratchDatabase, type ScratchDatabase } from './support/scratch-database.js';

interface MigrationRecord extends Record<string, unknown> {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date | null;
  finished_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
  rolled_back_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The checksum `prisma migrate` stores: sha256 of the file's bytes, lowercase hex. */
function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function shippedMigrationNames(): string[] {
  return readMigrations().map((m) => m.name);
}

describe('migrator', () => {
  let db: ScratchDatabase;
  let dir: string;

  const records = () =>
    db.session.query<MigrationRecord>(`SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name`);
  const tableExists = async (name: string) =>
    (await db.session.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [name]))[0]?.t !== null;
  /** A copy of the real migrations folder the test may edit. */
  const addMigration = (name: string, sql: string) => {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  };

  beforeEach(async () => {
    db = await createScratchDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'tasks-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(closeScratchDatabases);

  it('should apply every migration and record it like prisma migrate deploy when the database is fresh', async () => {
    const before = new Date();
    const result = await migrate(db.session);
    const after = new Date();

    const names = shippedMigrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(result).toEqual({ applied: names, alreadyApplied: [] });
    const rows = await records();
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      expect(row.id).toMatch(UUID);
      expect(row.checksum).toBe(sha256Of(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql')));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.started_at).toBeInstanceOf(Date);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.started_at!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at!.getTime());
      expect(row.finished_at!.getTime()).toBeLessThanOrEqual(after.getTime() + 1_000);
    }
    expect(await tableExists('tasks')).toBe(true);
  });

  it('should create _prisma_migrations with the column types prisma migrate uses when the database is fresh', async () => {
    await migrate(db.session);
    const columns = await db.session.query<{ column_name: string; type: string; nullable: boolean }>(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
       FROM pg_attribute a WHERE a.attrelid = '"_prisma_migrations"'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`,
    );
    expect(columns).toEqual([
      { column_name: 'id', type: 'character varying(36)', nullable: false },
      { column_name: 'checksum', type: 'character varying(64)', nullable: false },
      { column_name: 'finished_at', type: 'timestamp with time zone', nullable: true },
      { column_name: 'migration_name', type: 'character varying(255)', nullable: false },
      { column_name: 'logs', type: 'text', nullable: true },
      { column_name: 'rolled_back_at', type: 'timestamp with time zone', nullable: true },
      { column_name: 'started_at', type: 'timestamp with time zone', nullable: false },
      { column_name: 'applied_steps_count', type: 'integer', nullable: false },
    ]);
  });

  it('should apply nothing and change no record when run again on a migrated database', async () => {
    await migrate(db.session);
    const first = await records();

    const again = await migrate(db.session);

    expect(again).toEqual({ applied: [], alreadyApplied: shippedMigrationNames() });
    expect(await records()).toEqual(first);
  });

  it('should apply only the new migration, after the others, when one is added later', async () => {
    await migrate(db.session, readMigrations(dir));
    addMigration('29990101000000_add_probe', 'CREATE TABLE "probe" ("id" INTEGER PRIMARY KEY);\n');

    const result = await migrate(db.session, readMigrations(dir));

    expect(result).toEqual({ applied: ['29990101000000_add_probe'], alreadyApplied: shippedMigrationNames() });
    expect(await tableExists('probe')).toBe(true);
    const rows = await records();
    expect(rows.map((r) => r.migration_name)).toEqual([...shippedMigrationNames(), '29990101000000_add_probe']);
    expect(rows.at(-1)?.checksum).toBe(sha256Of(path.join(dir, '29990101000000_add_probe', 'migration.sql')));
  });

  it('should refuse with a message naming the migration, and apply nothing, when an applied migration file changed', async () => {
    await migrate(db.session, readMigrations(dir));
    const [first] = shippedMigrationNames();
    appendFileSync(path.join(dir, first!, 'migration.sql'), '\n-- edited after it was applied\n');
    addMigration('29990101000000_add_probe', 'CREATE TABLE "probe" ("id" INTEGER PRIMARY KEY);\n');
    const before = await records();

    const attempt = migrate(db.session, readMigrations(dir));

    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(new RegExp(`Refusing to start: "${first}" changed after being applied`));
    expect(await tableExists('probe')).toBe(false);
    expect(await records()).toEqual(before);
  });

  it('should roll back, record the failure and refuse the next start when a migration fails', async () => {
    await migrate(db.session, readMigrations(dir));
    addMigration(
      '29990101000000_broken',
      'CREATE TABLE "half_done" ("id" INTEGER);\nINSERT INTO "no_such_table" VALUES (1);\n',
    );

    await expect(migrate(db.session, readMigrations(dir))).rejects.toThrow(
      /Migration "29990101000000_broken" failed and was rolled back: .*no_such_table/,
    );

    // The migration's own statements were undone …
    expect(await tableExists('half_done')).toBe(false);
    // … and the attempt is recorded the way prisma migrate records a failed one.
    const broken = (await records()).find((r) => r.migration_name === '29990101000000_broken');
    expect(broken).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(broken?.logs).toMatch(/no_such_table/);
    expect(broken?.started_at).toBeInstanceOf(Date);

    // Even with the file fixed, the next start refuses until someone resolves the failed attempt.
    writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "half_done" ("id" INTEGER);\n');
    await expect(migrate(db.session, readMigrations(dir))).rejects.toThrow(
      /Migration "29990101000000_broken" failed on an earlier attempt.*prisma migrate resolve/,
    );
    expect(await tableExists('half_done')).toBe(false);

    // `prisma migrate resolve --rolled-back` sets rolled_back_at; then the fixed migration applies.
    await db.session.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [
      '29990101000000_broken',
    ]);
    const resolved = await migrate(db.session, readMigrations(dir));
    expect(resolved.applied).toEqual(['29990101000000_broken']);
    expect(await tableExists('half_done')).toBe(true);
  });

  it('should refuse with a clear message when the migrations folder is missing', () => {
    expect(() => readMigrations(path.join(dir, 'nope'))).toThrow(/Migrations folder not found: .*nope/);
  });

  // Several connections on one database: PostgreSQL only (a private server in the PGlite run).
  describe('on PostgreSQL', () => {
    const serverUrl = usePostgresServer();

    it('should apply each migration exactly once when several instances migrate one empty database at once', async () => {
      addMigration('29990101000000_add_probe', 'CREATE TABLE "probe" ("id" INTEGER PRIMARY KEY);\n');
      const migrations = readMigrations(dir);
      const names = migrations.map((m) => m.name);
      const database = await createPostgresDatabase('tasks_concurrent', serverUrl());
      const sessions = await Promise.all(Array.from({ length: 6 }, () => openPgSession(database.url)));
      try {
        const results = await Promise.all(sessions.map((session) => migrate(session, migrations)));

        const appliers = results.filter((r) => r.applied.length > 0);
        expect(appliers).toEqual([{ applied: names, alreadyApplied: [] }]);
        for (const result of results.filter((r) => r.applied.length === 0)) {
          expect(result.alreadyApplied).toEqual(names);
        }
        const rows = await sessions[0]!.query<MigrationRecord>(
          `SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
        );
        expect(rows.map((r) => r.migration_name)).toEqual(names);
        expect(rows.every((r) => r.finished_at !== null && r.applied_steps_count === 1)).toBe(true);
      } finally {
        await Promise.all(sessions.map((session) => session.close()));
        await database.drop();
      }
    });
  });
});
