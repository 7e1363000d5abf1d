import path from 'node:path';
import { createDatabase, makeDataDir, serverEnv, startServer } from './server.js';

/**
 * Starts the built server once for the whole run, on a free port with a fresh database: embedded
 * PGlite in a temporary DATA_DIR, or — when DATABASE_URL names a PostgreSQL server — a throwaway
 * database created there and dropped afterwards. Tests read the URL from E2E_BASE_URL.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = makeDataDir();
  const database = await createDatabase(process.env.DATABASE_URL || undefined);
  try {
    const server = await startServer(
      serverEnv(dataDir.dir, database),
      path.resolve(import.meta.dirname, '../test-results/backend.log'),
    );
    process.env.E2E_BASE_URL = server.url;
    return async () => {
      await server.stop();
      await database.drop();
      dataDir.remove();
    };
  } catch (error) {
    await database.drop();
    dataDir.remove();
    throw error;
  }
}
