import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './ports.js';
import { waitFor, answers } from './readiness.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BackendProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout and stderr, as written. */
  output(): string;
  /** JSON log lines so far. */
  logs(): Record<string, unknown>[];
  exited: Promise<Exit>;
  /** Date.now() when the process exited; undefined while it runs. */
  exitedAt(): number | undefined;
  /** Resolves when /api/health/<probe> answers 200; rejects as soon as the process exits first. */
  ready(probe?: 'ready' | 'live', timeoutMs?: number): Promise<void>;
  /** Resolves when a JSON log line satisfies `match`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, unless it has exited already. */
  kill(): void;
}

export interface SpawnBackendOptions {
  /** The built entry point (`apps/backend/dist/main.js`). */
  main: string;
  /** Working directory of the process (apps/backend). */
  cwd: string;
  /** The whole environment besides PATH, HOST and PORT (a free port unless `env.PORT` is set). */
  env: Record<string, string>;
  nodeArgs?: string[];
}

/**
 * Starts the built backend as a child process with exactly `env` (plus PATH), bound to 127.0.0.1 on
 * a free port, and collects its output. The one launcher of tests, E2E, bench and soak.
 */
export async function spawnBackend(options: SpawnBackendOptions): Promise<BackendProcess> {
  const port = Number(options.env.PORT ?? (await freePort()));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.main], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  let exit: Exit | undefined;
  let exitedAt: number | undefined;
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => {
      exitedAt = Date.now();
      resolve((exit = { code, signal }));
    }),
  );
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
    waitFor(what, check, timeoutMs, () => (exit ? `the process exited (${exit.code ?? exit.signal}):\n${text.slice(-4000)}` : undefined));
  return {
    url,
    port,
    child,
    output: () => text,
    logs,
    exited,
    exitedAt: () => exitedAt,
    ready: (probe = 'ready', timeoutMs = 90_000) => poll(`backend at ${url}`, () => answers(`${url}/api/health/${probe}`), timeoutMs),
    waitForLog: (match, timeoutMs = 10_000) => poll('log line', async () => logs().some(match), timeoutMs),
    stop: async (graceMs = 10_000) => {
      if (exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill: () => {
      if (!exit) child.kill('SIGKILL');
    },
  };
}
