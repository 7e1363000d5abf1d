import { PGlite } from '@electric-sql/pglite';
import { openPgSession, pgliteSession, type SqlSession } from '../../../src/database/sql-session.js';
import { createPostgresDatabase, usingPostgres } from '../../support/databases.js';

/** An empty database of the mode under test, reached through the migrator's own SqlSession. */
export interface ScratchDatabase {
  /** A session on the database (PGlite: the one and only connection). */
  session: SqlSession;
  /** Another connection to the same database (PostgreSQL only; PGlite has a single one). */
  connect(): Promise<SqlSession>;
  /** PostgreSQL URL, undefined on PGlite. */
  url: string | undefined;
  close(): Promise<void>;
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  if (usingPostgres) {
    const db = await createPostgresDatabase('tasks_scratch');
    const sessions: SqlSession[] = [];
    const connect = async () => {
      const session = await openPgSession(db.url);
      sessions.push(session);
      return session;
    };
    const session = await connect();
    return {
      session,
      connect,
      url: db.url,
      close: async () => {
        await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
        await db.drop();
      },
    };
  }
  // Starting PGlite takes seconds: one in-memory instance per test file, emptied between tests.
  shared ??= PGlite.create();
  const pglite = await shared;
  const session = pgliteSession(pglite);
  await pglite.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  return {
    session,
    connect: () => Promise.reject(new Error('PGlite has a single connection')),
    url: undefined,
    close: async () => undefined,
  };
}

let shared: Promise<PGlite> | undefined;

/** Closes the file's PGlite instance (call in afterAll); a no-op on PostgreSQL. */
export async function closeScratchDatabases(): Promise<void> {
  const pglite = shared;
  shared = undefined;
  if (pglite) await (await pglite).close();
}
