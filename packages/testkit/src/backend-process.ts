import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
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
  /** stdout and stderr, as written (with a `logFile`: its last 64 KiB). */
  output(): string;
  /** JSON log lines of `output()`. */
  logs(): Record<string, unknown>[];
  exited: Promise<Exit>;
  /** Date.now() when the process exited; undefined while it runs. */
  exitedAt(): number | undefined;
  /** Resolves when /api/health/<probe> answers 200; rejects as soon as the process exits first. */
  ready(probe?: 'ready' | 'live', timeoutMs?: number): Promise<void>;
  /** Resolves when GET `route` answers `status` (a server without health probes); rejects as soon as the process exits first. */
  answering(route: string, status: number, timeoutMs?: number): Promise<void>;
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
  /** The whole environment besides PATH, HOST and PORT (a free port unless `env.PORT` is set); undefined values are left out. */
  env: Record<string, string | undefined>;
  nodeArgs?: string[];
  /** The node binary (default: the one running the caller). */
  node?: string;
  /**
   * Output goes straight to this file instead of through the caller (a long run, or a load generator
   * that must not pay for reading it); `output()` then reads the file's tail.
   */
  logFile?: string;
  /** Each output line as it comes, when the output goes through the caller (no `logFile`). */
  onLine?: (line: string) => void;
}

/**
 * Starts the built backend as a child process with exactly `env` (plus PATH), bound to 127.0.0.1 on
 * a free port, and collects its output. The one launcher of tests, E2E, bench and soak.
 */
export async function spawnBackend(options: SpawnBackendOptions): Promise<BackendProcess> {
  const port = Number(options.env.PORT ?? (await freePort()));
  const env = Object.fromEntries(Object.entries(options.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const fd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), options.main], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  if (fd !== undefined) closeSync(fd);
  let text = '';
  let partial = '';
  const collect = (chunk: Buffer) => {
    text += chunk.toString();
    if (!options.onLine) return;
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) options.onLine(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const output = () => (options.logFile === undefined ? text : readTail(options.logFile));
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
    output()
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const poll = (what: string, check: () => Promise<boolean>, timeoutMs: number) =>
    waitFor(what, check, timeoutMs, () => (exit ? `the process exited (${exit.code ?? exit.signal}):\n${output().slice(-4000)}` : undefined));
  const answering = (route: string, status: number, timeoutMs = 90_000) => poll(`${url}${route}`, () => answers(`${url}${route}`, status), timeoutMs);
  return {
    url,
    port,
    child,
    output,
    logs,
    exited,
    exitedAt: () => exitedAt,
    ready: (probe = 'ready', timeoutMs) => answering(`/api/health/${probe}`, 200, timeoutMs),
    answering,
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

/** The last 64 KiB of a log file ('' while it is missing). */
function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-65_536);
  } catch {
    return '';
  }
}
