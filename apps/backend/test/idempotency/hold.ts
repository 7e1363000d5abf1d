import pg from 'pg';
import { holdEmbeddedDatabase, usingPostgres } from '../support/databases.js';
import type { TestApp } from '../support/test-app.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Hold {
  /** Resolves once a request of the app waits behind the hold. */
  waiter(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Makes writes to tasks wait: on PostgreSQL a lock on the tasks table (an INSERT or UPDATE waits,
 * the idempotency_keys claim does not); on PGlite the whole embedded database (one connection).
 */
export async function holdTaskWrites(t: TestApp, maxMs = 20_000): Promise<Hold> {
  if (usingPostgres) {
    const client = new pg.Client({ connectionString: t.config.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE tasks IN SHARE MODE');
    return {
      waiter: async () => {
        for (;;) {
          const { rows } = await client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'tasks'::regclass`,
          );
          if ((rows[0]?.n ?? 0) > 0) return;
          await sleep(20);
        }
      },
      release: async () => {
        await client.query('ROLLBACK');
        await client.end();
      },
    };
  }
  const release = holdEmbeddedDatabase(t.prisma, maxMs);
  return {
    // The embedded database gives no view of who waits; a request sent this long ago has arrived.
    waiter: () => sleep(500),
    release,
  };
}
