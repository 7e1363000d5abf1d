import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createModeDatabase } from '@tasks/testkit';

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

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the built backend (`node apps/backend/dist/main.js`) on a free port and waits until it listens. */
export async function startServer(env: Record<string, string>, logFile: string): Promise<RunningServer> {
  for (const [file, hint] of [
    [BACKEND_MAIN, 'the backend'],
    [FRONTEND_INDEX, 'the frontend'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build ${hint} first (\`pnpm build\` at the repository root).`);
  }
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--enable-source-maps', BACKEND_MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(log);
  const lines = createInterface({ input: child.stdout });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend did not start within ${START_TIMEOUT_MS} ms; see ${logFile}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited with code ${code} before listening; see ${logFile}`));
    });
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const entry = JSON.parse(line) as { url?: unknown };
        if (typeof entry.url === 'string' && entry.url.startsWith('http')) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line of ours
      }
    });
  }).catch(async (error: unknown) => {
    await stopProcess(child);
    throw error;
  });

  return {
    url,
    stop: async () => {
      await stopProcess(child);
      log.end();
    },
  };
}

export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tasks-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
