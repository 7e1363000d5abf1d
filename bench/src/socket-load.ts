import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import type { BenchUser } from './database.js';
import { streamMutations } from './mutation-stream.js';
import { MemorySampler } from './servers.js';

export interface DeliveryResult {
  clients: number;
  ratePerSec: number;
  durationSec: number;
  mutations: number;
  /** Mutations that did not get a 2xx (they expect no event). */
  failedMutations: number;
  expected: number;
  delivered: number;
  lost: number;
  misdelivered: number;
  duplicates: number;
  /** Events that matched no mutation of this run. */
  unexpected: number;
  /** HTTP response → owner's event, ms (0 when the event overtook the response). */
  p50: number;
  p99: number;
  max: number;
  /** Share of events that reached the socket before the HTTP response reached the client. */
  beforeResponse: number;
  /** Request sent → owner's event, ms: the whole path a change takes to a watching client. */
  endToEnd: { p50: number; p99: number };
  rss: { startMb: number; endMb: number; peakMb: number; hwmMb: number };
  connectSec: number;
}

interface Arrival {
  socket: number;
  at: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function connect(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/tasks`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * `clients` sockets spread evenly over `users`; a steady open-loop stream of creates and title edits
 * (`ratePerSec` for `durationSec`) through REST; latency from the HTTP response to each of the owner's
 * sockets receiving the event. Every event is checked against the mutation that caused it.
 */
export async function measureDelivery(options: {
  url: string;
  pid: number;
  users: readonly BenchUser[];
  clients: number;
  ratePerSec: number;
  durationSec: number;
}): Promise<DeliveryResult> {
  const { users } = options;
  const sockets: Socket[] = [];
  const socketUser: number[] = [];
  const userSockets: number[][] = users.map(() => []);
  const arrivals = new Map<string, Arrival[]>();
  let deletedEvents = 0;
  const sampler = new MemorySampler(options.pid).start();

  const connectStart = performance.now();
  try {
    const BATCH = 50;
    for (let first = 0; first < options.clients; first += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, options.clients - first) }, (_, k) => first + k);
      const connected = await Promise.all(batch.map((i) => connect(options.url, users[i % users.length]!.token)));
      connected.forEach((socket, k) => {
        const index = batch[k]!;
        const owner = index % users.length;
        sockets[index] = socket;
        socketUser[index] = owner;
        userSockets[owner]!.push(index);
        const record = (event: string) => (task: { id: string; version: number }) => {
          const key = `${event}|${task.id}|${task.version}`;
          const list = arrivals.get(key) ?? [];
          list.push({ socket: index, at: performance.now() });
          arrivals.set(key, list);
        };
        socket.on('task:created', record('task:created'));
        socket.on('task:updated', record('task:updated'));
        socket.on('task:deleted', () => (deletedEvents += 1));
      });
    }
    const connectSec = (performance.now() - connectStart) / 1000;

    const { mutations, failed: failedMutations } = await streamMutations({
      url: options.url,
      users,
      ratePerSec: options.ratePerSec,
      durationSec: options.durationSec,
      title: (sequence) => `Socket bench ${sequence}`,
      now: () => performance.now(),
    });
    await sleep(2_000); // events still on the wire

    const latencies: number[] = [];
    const endToEnd: number[] = [];
    let early = 0;
    let expected = 0;
    let lost = 0;
    let misdelivered = 0;
    let duplicates = 0;
    const matched = new Set<string>();
    for (const mutation of mutations) {
      const key = `${mutation.event}|${mutation.id}|${mutation.version}`;
      matched.add(key);
      const got = arrivals.get(key) ?? [];
      const perSocket = new Map<number, number>();
      for (const arrival of got) {
        if (socketUser[arrival.socket] !== mutation.owner) {
          misdelivered += 1;
          continue;
        }
        if (perSocket.has(arrival.socket)) {
          duplicates += 1;
          continue;
        }
        perSocket.set(arrival.socket, arrival.at);
      }
      for (const socket of userSockets[mutation.owner]!) {
        expected += 1;
        const at = perSocket.get(socket);
        if (at === undefined) lost += 1;
        // An event can overtake the HTTP response on the wire: that is zero delay, not negative.
        else {
          latencies.push(Math.max(0, at - mutation.respondedAt));
          endToEnd.push(at - mutation.sentAt);
          if (at < mutation.respondedAt) early += 1;
        }
      }
    }
    let unexpected = deletedEvents;
    for (const [key, got] of arrivals) if (!matched.has(key)) unexpected += got.length;
    latencies.sort((a, b) => a - b);
    endToEnd.sort((a, b) => a - b);
    return {
      clients: options.clients,
      ratePerSec: options.ratePerSec,
      durationSec: options.durationSec,
      mutations: mutations.length,
      failedMutations,
      expected,
      delivered: latencies.length,
      lost,
      misdelivered,
      duplicates,
      unexpected,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      beforeResponse: latencies.length ? early / latencies.length : 0,
      endToEnd: { p50: percentile(endToEnd, 50), p99: percentile(endToEnd, 99) },
      rss: sampler.stop(),
      connectSec,
    };
  } finally {
    sampler.stop();
    for (const socket of sockets) socket?.close();
  }
}
