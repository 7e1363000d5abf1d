/**
 * The BUILT backend (`node dist/main.js`), rebuilt when src is newer, started by the testkit's one
 * launcher; and the built command-line tools run to completion.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, spawnBackend as launch, withLockFile, type BackendProcess, type Exit } from '@tasks/testkit';

export { freePort };

export const BACKEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(BACKEND_DIR, 'dist/main.js');
// One lock per checkout: test runs of other worktrees build their own dist.
export const BUILD_LOCK = path.join(tmpdir(), `tasks-backend-build-${createHash('sha256').update(BACKEND_DIR).digest('hex').slice(0, 12)}.lock`);

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
 * under a lock file so test files running in parallel never build over each other; a lock left by a
 * run killed mid-build is taken over.
 */
export async function ensureBuilt(): Promise<void> {
  if (!isStale()) return;
  await withLockFile(BUILD_LOCK, async () => {
    if (!isStale()) return;
    await promisify(execFile)('pnpm', ['--filter', '@tasks/backend', 'build'], {
      cwd: BACKEND_DIR,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; message: string }) => {
      // tsc still emits when someone else's file has a type error; only a missing dist is fatal.
      if (!existsSync(MAIN)) throw new Error(`backend build failed: ${error.stdout ?? error.message}`);
    });
  });
}

export type { BackendProcess, Exit };

/** Spawns `node dist/main.js` (built first when stale) with exactly `env` (plus PATH); the caller picks the database. */
export async function spawnBackend(env: Record<string, string>): Promise<BackendProcess> {
  await ensureBuilt();
  return launch({ main: MAIN, cwd: BACKEND_DIR, env });
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
