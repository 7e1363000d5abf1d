import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A throwaway PostgreSQL database: its URL, its name, and its drop (with its connections). */
export interface PostgresDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Runs `fn` on a short-lived connection to the server's maintenance database. */
export async function onServer<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh empty database named `<prefix>_<random hex>` on the PostgreSQL server of `serverUrl`. */
export async function createPostgresDatabase(serverUrl: string, prefix = 'tasks_test'): Promise<PostgresDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A database for the mode selected by `serverUrl`: PostgreSQL when set, embedded PGlite (undefined URL) otherwise. */
export async function createModeDatabase(serverUrl: string | undefined, prefix: string): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  if (!serverUrl) return { url: undefined, drop: async () => undefined };
  return createPostgresDatabase(serverUrl, prefix);
}
