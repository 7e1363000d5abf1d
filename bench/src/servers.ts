import { createServer as createHttpServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { freePort, spawnBackend } from '@tasks/testkit';

export { freePort };

export interface Memory {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size since start (VmHWM), MB. */
  hwmMb: number;
}

/** VmRSS and VmHWM of a process from /proc (Linux); zeros elsewhere. */
export function readMemory(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: 0, hwmMb: 0 };
  }
}

/** CPU time (user + system) a process has used so far, ms; 0 where /proc is missing. */
export function readCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux build Node supports
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface RunningServer {
  name: string;
  url: string;
  pid: number;
  /** Last lines the process wrote, for error messages. */
  output(): string;
  /** Throws when the process has exited (a crash, or something else stopped it) since it started. */
  assertRunning(): void;
  stop(): Promise<void>;
}

/**
 * Starts `node [nodeArgs] main` with `env` on a free port (testkit's launcher), and waits until `readyPath`
 * answers `readyStatus`. The child writes its output (the request log, when LOG_LEVEL=info) to `logFile`,
 * as a real deployment would write to a file or pipe, without costing the load generator; the tail is
 * shown when something fails.
 */
export async function startServer(options: {
  name: string;
  main: string;
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  readyPath: string;
  readyStatus: number;
  logFile: string;
  cwd: string;
  timeoutMs?: number;
  /** The node binary (default: the one running the bench). */
  node?: string;
}): Promise<RunningServer> {
  const { name, main, nodeArgs, cwd, logFile, node } = options;
  const server = await spawnBackend({ main, nodeArgs, cwd, logFile, node, env: { ...options.env, PORT: undefined } });
  let exit = '';
  void server.exited.then(({ code, signal }) => (exit = signal ? `signal ${signal}` : `code ${code}`));
  const pid = server.child.pid;
  const output = () => server.output().split('\n').slice(-40).join('\n');
  await server.answering(options.readyPath, options.readyStatus, options.timeoutMs ?? 60_000).catch((error: unknown) => {
    server.kill();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${name}: ${server.exitedAt() === undefined ? `${message}:\n${output()}` : message}`);
  });
  if (pid === undefined) throw new Error(`${name} has no pid`);
  let stopping = false;
  return {
    name,
    url: server.url,
    pid,
    output,
    assertRunning: () => {
      if (server.exitedAt() !== undefined && !stopping) throw new Error(`${name} (pid ${pid}) exited (${exit}) during the run:\n${output()}`);
    },
    stop: () => {
      stopping = true;
      return server.stop(15_000);
    },
  };
}

/** Samples a process's memory every `intervalMs` while a measurement runs. */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  first: Memory = { rssMb: 0, hwmMb: 0 };
  last: Memory = { rssMb: 0, hwmMb: 0 };
  peakRssMb = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.first = readMemory(this.pid);
    this.peakRssMb = this.first.rssMb;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private sample(): void {
    this.last = readMemory(this.pid);
    this.peakRssMb = Math.max(this.peakRssMb, this.last.rssMb);
  }

  stop(): { startMb: number; endMb: number; peakMb: number; hwmMb: number } {
    clearInterval(this.timer);
    this.sample();
    return { startMb: this.first.rssMb, endMb: this.last.rssMb, peakMb: this.peakRssMb, hwmMb: this.last.hwmMb };
  }
}

/**
 * An OTLP/HTTP endpoint that accepts and drops every export: the traced app pays for building,
 * batching and sending its spans, as it would to a collector, without a collector on the machine.
 */
export async function startOtlpSink(): Promise<{ url: string; spansBatches: () => number; close: () => Promise<void> }> {
  let batches = 0;
  const server = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      batches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    spansBatches: () => batches,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
