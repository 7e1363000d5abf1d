import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModeDatabase, spawnBackend } from '@tasks/testkit';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const BACKEND_MAIN = path.join(REPO_ROOT, 'apps/backend/dist/main.js');
const FRONTEND_INDEX = path.join(REPO_ROOT, 'apps/frontend/dist/index.html');
const START_TIMEOUT_MS = 120_000;

export type Database = Awaited<ReturnType<typeof createModeDatabase>>;

/** A new, empty database on the PostgreSQL server of `serverUrl` (undefined: embedded PGlite in DATA_DIR). */
export const createDatabase = (serverUrl: string | undefined): Promise<Database> => createModeDatabase(serverUrl, 'tasks_e2e');

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the built backend (`node apps/backend/dist/main.js`) on a free port, its output in `logFile`, and waits until it is ready. */
export async function startServer(env: Record<string, string>, logFile: string): Promise<RunningServer> {
  for (const [file, hint] of [
    [BACKEND_MAIN, 'the backend'],
    [FRONTEND_INDEX, 'the frontend'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build ${hint} first (\`pnpm build\` at the repository root).`);
  }
  mkdirSync(path.dirname(logFile), { recursive: true });
  rmSync(logFile, { force: true });
  const backend = await spawnBackend({ main: BACKEND_MAIN, cwd: REPO_ROOT, nodeArgs: ['--enable-source-maps'], env, logFile });
  try {
    await backend.ready('ready', START_TIMEOUT_MS);
  } catch (error) {
    await backend.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nsee ${logFile}`);
  }
  return { url: backend.url, stop: () => backend.stop(15_000) };
}

export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tasks-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The environment of an E2E backend: a fresh secret, its data dir and database, Redis only when the
 * run names one (the server gets exactly this environment), and what the caller adds. Every test
 * signs up its own users from 127.0.0.1, and servers of one run share Redis's counters: the auth
 * limits themselves are tested in the backend.
 */
export function serverEnv(dataDir: string, database: Database, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url ?? '',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'info',
    AUTH_RATE_LIMIT_REGISTER: '100000',
    AUTH_RATE_LIMIT_LOGIN: '100000',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...extra,
  };
}
