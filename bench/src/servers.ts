import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { answers, freePort, waitFor } from '@tasks/testkit';

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
 * Starts `node <args>` with `env`, and waits until `readyPath` answers `readyStatus`. The child writes its
 * output (the request log, when LOG_LEVEL=info) to `logFile`, as a real deployment would write to a file
 * or pipe, without costing the load generator; the tail is shown when something fails.
 */
export async function startServer(options: {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  readyPath: string;
  readyStatus: number;
  logFile: string;
  cwd?: string;
  timeoutMs?: number;
  /** The node binary (default: the one running the bench). */
  node?: string;
}): Promise<RunningServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const fd = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(options.node ?? process.execPath, options.args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited: string | undefined;
  let stopping = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    }),
  );
  const output = () => {
    try {
      return readFileSync(options.logFile, 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '';
    }
  };

  await waitFor(options.name, () => answers(url + options.readyPath, options.readyStatus, 60_000), options.timeoutMs ?? 60_000, () =>
    exited === undefined ? undefined : `exited (${exited}) during start-up`,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}:\n${output()}`);
  });
  if (child.pid === undefined) throw new Error(`${options.name} has no pid`);
  return {
    name: options.name,
    url,
    pid: child.pid,
    output,
    assertRunning: () => {
      if (exited !== undefined && !stopping) throw new Error(`${options.name} (pid ${child.pid}) exited (${exited}) during the run:\n${output()}`);
    },
    stop: async () => {
      if (exited !== undefined) return;
      stopping = true;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(killer);
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
