import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The little of a database connection the migrator needs, over `pg` or PGlite alike. */
export interface SqlSession {
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function openPgSession(url: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString: url });
  // A dropped connection emits 'error'; the pending query rejects with it, which is enough.
  client.on('error', () => undefined);
  await client.connect();
  return {
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
      (await client.query<T>(sql, params)).rows,
    exec: async (sql) => {
      await client.query(sql);
    },
    close: () => client.end(),
  };
}

/** Wraps an open PGlite; closing the session leaves the database open for Prisma. */
export function pgliteSession(db: PGlite): SqlSession {
  return {
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
      (await db.query<T>(sql, params)).rows,
    exec: async (sql) => {
      await db.exec(sql);
    },
    close: async () => undefined,
  };
}
