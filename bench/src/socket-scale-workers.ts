// The parent's side of the `scale` part's socket workers: forking them, and waiting for their messages.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from './socket-scale-protocol.js';

const WORKER = fileURLToPath(new URL('./socket-scale-worker.js', import.meta.url));

/** File descriptors a process beyond its sockets may hold (database pool, logs, pipes, Node itself). */
const FD_MARGIN = 1_024;

/** The soft RLIMIT_NOFILE of this process, which the app and the workers inherit; undefined off Linux. */
function openFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return line === undefined || line === 'unlimited' ? undefined : Number(line);
  } catch {
    return undefined;
  }
}

/** The app holds every socket: refuse to start rather than see handshakes fail with EMFILE halfway. */
export function checkOpenFileLimit(sockets: number): void {
  const limit = openFileLimit();
  const needed = sockets + FD_MARGIN;
  if (limit !== undefined && limit < needed) {
    throw new Error(`the scale part opens ${sockets} sockets, which needs \`ulimit -n\` ≥ ${needed} (it is ${limit}); raise it in the shell that runs the bench (ulimit -n ${needed}) or run fewer parts`);
  }
}

type Message<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

/** A forked socket worker whose messages are queued until asked for. */
export class SocketWorker {
  private readonly child: ChildProcess;
  private readonly queue: FromWorker[] = [];
  private waiter: (() => void) | undefined;
  private exit: string | undefined;

  constructor(readonly name: string) {
    // Advanced serialisation: the arrivals travel as one Float64Array rather than as JSON text.
    this.child = fork(WORKER, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: FromWorker) => {
      this.queue.push(message);
      this.waiter?.();
    });
    // 'close' rather than 'exit': it comes after the IPC channel has delivered everything.
    this.child.on('close', (code, signal) => {
      this.exit = signal ? `signal ${signal}` : `code ${code}`;
      this.waiter?.();
    });
  }

  /** The worker's process id (its CPU time is read from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): void {
    this.child.send(message);
  }

  /** The next message, which must be of `type`; throws when the worker exits first or after `timeoutMs`. */
  async receive<T extends FromWorker['type']>(type: T, timeoutMs: number): Promise<Message<T>> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.exit !== undefined) throw new Error(`${this.name} exited (${this.exit}) before its "${type}" message`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no "${type}" message after ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    const message = this.queue.shift()!;
    if (message.type !== type) throw new Error(`${this.name} sent "${message.type}" where "${type}" was expected`);
    return message as Message<T>;
  }

  /** Ends the worker if it is still running (it exits on its own after its result). */
  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}
