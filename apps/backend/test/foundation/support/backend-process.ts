/**
 * The BUILT backend (`node dist/main.js`) as a child process, for what only a real process shows:
 * exit codes, signals, several instances at once.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { answers, freePort, waitFor } from '@tasks/testkit';

export { freePort };

export const BACKEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(BACKEND_DIR, 'dist/main.js');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const isStale = () => !existsSync(MAIN) || statSync(MAIN).mtimeMs < newestSource(path.join(BACKEND_DIR, 'src'));

/**
 * Runs `pnpm --filter @tasks/backend build` when dist is older than src (CI builds before testing),
 * under a lock directory so test files running in parallel never build over each other.
 */
export async function ensureBuilt(): Promise<void> {
  if (!isStale()) return;
  const lock = path.join(tmpdir(), 'tasks-backend-build.lock');
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 1200) throw new Error(`build lock ${lock} held for 2 minutes`);
      await sleep(100);
    }
  }
  try {
    if (!isStale()) return;
    await promisify(execFile)('pnpm', ['--filter', '@tasks/backend', 'build'], {
      cwd: BACKEND_DIR,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; message: string }) => {
      // tsc still emits when someone else's file has a type error; only a missing dist is fatal.
      if (!existsSync(MAIN)) throw new Error(`backend build failed: ${error.stdout ?? error.message}`);
    });
  } finally {
    rmdirSync(lock);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BackendProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr, as written. */
  output(): string;
  /** JSON log lines so far. */
  logs(): Record<string, unknown>[];
  exited: Promise<Exit>;
  /** Resolves when /api/health/ready answers 200; rejects when the process exits first. */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves when a log line satisfies `match`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<void>;
  kill(): void;
}

/** Spawns `node dist/main.js` with exactly `env` (plus PATH); the caller picks the database. */
export async function spawnBackend(env: Record<string, string>): Promise<BackendProcess> {
  await ensureBuilt();
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, [MAIN], {
    cwd: BACKEND_DIR,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: port, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve((exit = { code, signal }))));
  const url = `http://127.0.0.1:${port}`;
  const logs = () =>
    text.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const poll = (what: string, check: () => Promise<boolean>, timeoutMs: number) =>
    waitFor(what, check, timeoutMs, () => (exit ? `the process exited (${exit.code ?? exit.signal}):\n${text}` : undefined));
  return {
    url,
    child,
    output: () => text,
    logs,
    exited,
    ready: (timeoutMs = 90_000) =>
      poll(
        'ready',
        () => answers(`${url}/api/health/ready`),
        timeoutMs,
      ),
    waitForLog: (match, timeoutMs = 10_000) => poll('log line', async () => logs().some(match), timeoutMs),
    kill: () => {
      if (!exit) child.kill('SIGKILL');
    },
  };
}

export interface ToolRun extends Exit {
  output: string;
}

/**
 * Runs one of the built command-line tools (`dist/migrate.js`, `dist/export.js`, `dist/import.js`)
 * to completion with exactly `env` (plus PATH), as `pnpm db:*` does.
 */
export async function runTool(script: 'migrate' | 'export' | 'import', args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<ToolRun> {
  await ensureBuilt();
  const child = spawn(process.execPath, [path.join(BACKEND_DIR, `dist/${script}.js`), ...args], {
    cwd: BACKEND_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  clearTimeout(timer);
  return { ...exit, output };
}
