// A child process of the `scale` part (socket-scale.ts) holding a share of its Socket.IO clients, so
// that thousands of sockets neither share an event loop with the writes and timings of the parent
// nor starve the server of the one CPU a single process could use. It checks every event on arrival.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import {
  CREATED,
  type FromWorker,
  SCALE_TITLE,
  type SocketSpec,
  type StartMessage,
  type ToWorker,
  UPDATED,
} from './socket-scale-protocol.js';

const now = (): number => performance.timeOrigin + performance.now();

interface TaskEventArgs {
  title?: unknown;
}
interface EventMeta {
  at?: unknown;
}

const sockets: Socket[] = [];
const arrivals: number[] = [];
const seen = new Set<number>();
const counts = { misdelivered: 0, duplicated: 0, unexpected: 0, disconnected: 0 };
let closing = false;

/** Records one task event on `spec`'s socket, or counts what is wrong with it. */
function receive(spec: SocketSpec, total: number, code: number, task: TaskEventArgs | undefined, meta: EventMeta | undefined): void {
  const at = now();
  const match = typeof task?.title === 'string' ? SCALE_TITLE.exec(task.title) : null;
  if (!match) {
    counts.unexpected += 1;
    return;
  }
  const sequence = Number(match[1]);
  if (Number(match[2]) !== spec.user) {
    counts.misdelivered += 1;
    return;
  }
  const key = sequence * total + spec.index;
  if (seen.has(key)) {
    counts.duplicated += 1;
    return;
  }
  seen.add(key);
  arrivals.push(spec.index, sequence, at, typeof meta?.at === 'string' ? Date.parse(meta.at) : Number.NaN, code);
}

function open(start: StartMessage, spec: SocketSpec): Promise<void> {
  const socket = io(`${start.url}/tasks`, {
    auth: { token: spec.token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 30_000,
  });
  // Listening from the start: nothing the server sends right after admission is missed.
  socket.on('task:created', (task?: TaskEventArgs, meta?: EventMeta) => receive(spec, start.total, CREATED, task, meta));
  socket.on('task:updated', (task?: TaskEventArgs, meta?: EventMeta) => receive(spec, start.total, UPDATED, task, meta));
  socket.on('task:deleted', () => (counts.unexpected += 1));
  socket.on('tasks:resync', () => (counts.unexpected += 1));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      sockets.push(socket);
      socket.on('disconnect', () => {
        if (!closing) counts.disconnected += 1;
      });
      resolve();
    });
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Opens the sockets at `connectPerSec`, with at most `maxPending` handshakes in flight. */
async function connectAll(start: StartMessage): Promise<void> {
  const failed: number[] = [];
  let firstError: string | undefined;
  const begin = performance.now();
  const handshakes = new Set<Promise<void>>();
  let next = 0;
  while (next < start.sockets.length) {
    const due = Math.min(start.sockets.length, Math.floor(((performance.now() - begin) / 1000) * start.connectPerSec) + 1);
    while (next < due && handshakes.size < start.maxPending) {
      const spec = start.sockets[next]!;
      next += 1;
      const handshake = open(start, spec).catch((error: unknown) => {
        failed.push(spec.index);
        firstError ??= error instanceof Error ? error.message : String(error);
      });
      handshakes.add(handshake);
      void handshake.finally(() => handshakes.delete(handshake));
    }
    await sleep(5);
  }
  await Promise.all(handshakes);
  const connected: FromWorker = { type: 'connected', failed, firstError };
  process.send?.(connected);
}

function closeAll(): void {
  closing = true;
  for (const socket of sockets) socket.close();
}

/** Sends the results, then lets the process end: its sockets closed, the channel closed once written. */
function finish(): void {
  const result: FromWorker = { type: 'result', arrivals: Float64Array.from(arrivals), ...counts };
  closeAll();
  process.send?.(result, undefined, undefined, () => process.disconnect());
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'start') void connectAll(message);
  else finish();
});
// The parent gone (a crash, Ctrl-C): this process has nothing left to do.
process.on('disconnect', closeAll);
