import { readFileSync } from 'node:fs';
import pg from 'pg';
import { ADVISORY_LOCK_KEY, migrate, readMigrations, type MigrationLogger } from './migrator.js';
import { openPgSession } from './sql-session.js';
import { splitSqlScript } from './sql-script.js';

export class ImportError extends Error {
  override readonly name = 'ImportError';
}

export interface ImportResult {
  /** Rows loaded per table of the dump. */
  rows: Record<string, number>;
  /** Migrations newer than the dump, applied after loading it. */
  applied: string[];
}

const BATCH_CHARS = 1 << 20;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** `public.users` / `public."TaskStatus"` → the bare name. */
const bareName = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name);

function createdObjects(statements: string[], kind: 'TABLE' | 'TYPE'): string[] {
  const pattern = new RegExp(`^CREATE ${kind} public\\.("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)[\\s(]`);
  return statements.flatMap((s) => {
    const match = pattern.exec(s);
    return match ? [bareName(match[1]!)] : [];
  });
}

/**
 * Loads a `pnpm db:export` dump into the (empty) PostgreSQL database at `url`: schema, data and the
 * `_prisma_migrations` rows as the migrator recorded them, in one transaction, so a failure leaves
 * the database as it was; then applies any migration newer than the dump. Refuses a database that
 * holds any row in a table of its `public` schema. Tables and types of the dump that already exist
 * there (a database migrated but never used) are empty by then and are replaced.
 */
export async function importDump(url: string, file: string, logger: MigrationLogger): Promise<ImportResult> {
  const statements = splitSqlScript(readFileSync(file, 'utf8'));
  const tables = createdObjects(statements, 'TABLE');
  const types = createdObjects(statements, 'TYPE');
  if (!tables.includes('_prisma_migrations') || !tables.includes('users')) {
    throw new ImportError(`${file} is not a Tasks export (no users or _prisma_migrations table); make one with pnpm db:export.`);
  }
  const known = new Map(readMigrations().map((m) => [m.name, m.checksum]));

  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  const rows: Record<string, number> = {};
  try {
    await client.query('BEGIN');
    // Excludes a server starting (and migrating) on this database meanwhile.
    await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
    const existing = (
      await client.query<{ name: string; kind: string }>(
        `SELECT c.relname AS name, 'table' AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
         UNION ALL SELECT t.typname, 'type' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = 'public' AND t.typtype = 'e'`,
      )
    ).rows;
    const existingTables = existing.filter((o) => o.kind === 'table').map((o) => o.name);
    const withData: string[] = [];
    for (const table of existingTables.filter((t) => t !== '_prisma_migrations')) {
      const { rows: found } = await client.query(`SELECT 1 FROM public.${quoteIdent(table)} LIMIT 1`);
      if (found.length > 0) withData.push(table);
    }
    if (withData.length > 0) {
      throw new ImportError(
        `The database already has data (rows in ${withData.join(', ')}); pnpm db:import only loads into an empty ` +
          `database. Nothing was changed. Create a new database (createdb) and point DATABASE_URL at it.`,
      );
    }
    const replace = (names: string[], kind: 'TABLE' | 'TYPE', have: string[]) => {
      const hit = names.filter((name) => have.includes(name));
      return hit.length > 0 ? [`DROP ${kind} ${hit.map((name) => `public.${quoteIdent(name)}`).join(', ')}`] : [];
    };
    const existingTypes = existing.filter((o) => o.kind === 'type').map((o) => o.name);
    for (const sql of [...replace(tables, 'TABLE', existingTables), ...replace(types, 'TYPE', existingTypes)]) {
      logger.log(`Replacing the empty schema already there: ${sql}`);
      await client.query(sql);
    }

    // The dump comes from a newer PostgreSQL (PGlite's); settings this server lacks only tune the
    // dump session (e.g. transaction_timeout, PostgreSQL 17+), so they are left out.
    const settings = new Set((await client.query<{ name: string }>('SELECT name FROM pg_settings')).rows.map((r) => r.name));
    let batch = '';
    const flush = async () => {
      if (batch !== '') await client.query(batch);
      batch = '';
    };
    for (const statement of statements) {
      const set = /^SET\s+([a-z_.]+)\s*(?:=|TO)/i.exec(statement)?.[1]?.toLowerCase();
      if (set !== undefined && !settings.has(set)) {
        logger.warn(`Skipped "${statement}": this PostgreSQL has no setting ${set}`);
        continue;
      }
      batch += `${statement};\n`;
      if (batch.length > BATCH_CHARS) await flush();
    }
    await flush();

    const recorded = (
      await client.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM public."_prisma_migrations" WHERE rolled_back_at IS NULL`,
      )
    ).rows;
    const unknown = recorded.filter((m) => known.get(m.migration_name) !== m.checksum).map((m) => m.migration_name);
    if (unknown.length > 0) {
      throw new ImportError(
        `The dump records migrations this version does not have or has changed (${unknown.join(', ')}); ` +
          `import it with the version of Tasks that exported it. Nothing was changed.`,
      );
    }
    for (const table of tables) {
      const { rows: counted } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${quoteIdent(table)}`);
      rows[table] = counted[0]?.n ?? 0;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof ImportError) throw error;
    throw new ImportError(`Import failed and was rolled back, nothing was changed: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }

  const session = await openPgSession(url);
  try {
    const { applied } = await migrate(session, undefined, logger);
    return { rows, applied };
  } finally {
    await session.close();
  }
}
