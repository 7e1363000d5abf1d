// Thousands of Socket.IO clients on one app instance, held by worker processes of their own
// (socket-scale-worker.ts), while this process writes a steady stream of creates and edits through
// REST and checks that every event reached every socket of its owner once, and no other socket.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchUser } from './database.js';
import { type SentMutation, streamMutations } from './mutation-stream.js';
import type { BenchOptions } from './options.js';
import { MemorySampler, readCpuMs, readMemory } from './servers.js';
import { percentile } from './socket-load.js';
import { ARRIVAL_FIELDS, CREATED, type ResultMessage, scaleTitle, type SocketSpec } from './socket-scale-protocol.js';
import { checkOpenFileLimit, SocketWorker } from './socket-scale-workers.js';

export type ScaleSettings = BenchOptions['scale'];

export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

export interface ScaleResult {
  users: number;
  sockets: number;
  workers: number;
  connected: number;
  firstConnectError: string | undefined;
  connectSec: number;
  /** App CPU per socket admitted, ms, over the connect phase. */
  connectCpuMsPerSocket: number;
  ratePerSec: number;
  durationSec: number;
  /** Measured writes answered with a 2xx (the warm-up's are not counted). */
  mutations: number;
  /** Writes without a 2xx, warm-up included. */
  failedMutations: number;
  /** Every 2xx write (warm-up included) × its owner's connected sockets. */
  expected: number;
  delivered: number;
  lost: number;
  misdelivered: number;
  duplicated: number;
  /** Deletes, resyncs, and events of no 2xx write of this part or of the wrong type. */
  unexpected: number;
  /** Sockets the server dropped during the run. */
  disconnected: number;
  /** HTTP response → event, socket-load.ts's definition (0 when the event overtook the response). */
  responseToEvent: Spread;
  /** The change's `meta.at` (the database's clock_timestamp() in the writing transaction) → event. */
  changeToEvent: Spread;
  /** Request sent → event: the whole path a change takes to a watching client. */
  requestToEvent: Spread;
  /** Share of events that reached their socket before the HTTP response reached the writer. */
  beforeResponse: number;
  /** App CPU over the measured stream, % of one core. */
  appCpuPercent: number;
  /** The socket workers' CPU over the measured stream, % of one core, all together. */
  workersCpuPercent: number;
  rss: { idleMb: number; connectedMb: number; endMb: number; peakMb: number; hwmMb: number };
}

/** Handshakes each worker has in flight at most: the rate, not a burst, sets the connect pace. */
const MAX_PENDING = 64;
/** Events still on the wire when the last write is answered. */
const DRAIN_MS = 2_000;

const now = (): number => performance.timeOrigin + performance.now();

function spread(values: number[]): Spread {
  values.sort((a, b) => a - b);
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: values.at(-1) ?? Number.NaN };
}

/** Matches the workers' arrivals to the writes: latencies of the measured ones, counts of all. */
function tally(mutations: readonly SentMutation[], measuredFrom: number, results: readonly ResultMessage[], socketsOf: readonly number[]) {
  const bySequence = new Map(mutations.map((mutation) => [mutation.sequence, mutation]));
  const received = new Map<number, number>();
  const response: number[] = [];
  const change: number[] = [];
  const request: number[] = [];
  let early = 0;
  let unexpected = 0;
  let misdelivered = 0;
  for (const result of results) {
    unexpected += result.unexpected;
    misdelivered += result.misdelivered;
    const { arrivals } = result;
    for (let i = 0; i < arrivals.length; i += ARRIVAL_FIELDS) {
      const [socket, sequence, at, changeAt, code] = [arrivals[i]!, arrivals[i + 1]!, arrivals[i + 2]!, arrivals[i + 3]!, arrivals[i + 4]];
      const mutation = bySequence.get(sequence);
      if (!mutation || (code === CREATED) !== (mutation.event === 'task:created')) {
        unexpected += 1;
        continue;
      }
      // The worker checked the title's owner; this checks its socket's.
      if (socket % socketsOf.length !== mutation.owner) {
        misdelivered += 1;
        continue;
      }
      received.set(sequence, (received.get(sequence) ?? 0) + 1);
      if (sequence < measuredFrom) continue;
      // An event can overtake the HTTP response on the wire: that is zero delay, not negative.
      response.push(Math.max(0, at - mutation.respondedAt));
      request.push(at - mutation.sentAt);
      if (Number.isFinite(changeAt)) change.push(Math.max(0, at - changeAt));
      if (at < mutation.respondedAt) early += 1;
    }
  }
  let expected = 0;
  let delivered = 0;
  for (const mutation of mutations) {
    const due = socketsOf[mutation.owner] ?? 0;
    expected += due;
    delivered += Math.min(due, received.get(mutation.sequence) ?? 0);
  }
  return {
    expected,
    delivered,
    lost: expected - delivered,
    misdelivered,
    duplicated: results.reduce((sum, result) => sum + result.duplicated, 0),
    unexpected,
    disconnected: results.reduce((sum, result) => sum + result.disconnected, 0),
    responseToEvent: spread(response),
    changeToEvent: spread(change),
    requestToEvent: spread(request),
    beforeResponse: response.length > 0 ? early / response.length : 0,
  };
}

/**
 * `socketsPerUser` sockets for each of `users`, opened by `workers` child processes at `connectPerSec`
 * in all; then a warm-up of `warmUpSec` and a measured stream of `ratePerSec` writes for `durationSec`
 * from this process. The app's RSS is sampled throughout, its CPU read over each phase.
 */
export async function measureScale({
  settings: options,
  url,
  pid,
  users,
  log,
}: {
  settings: ScaleSettings;
  url: string;
  pid: number;
  users: readonly BenchUser[];
  log: (message: string) => void;
}): Promise<ScaleResult> {
  const total = users.length * options.socketsPerUser;
  checkOpenFileLimit(total);
  const specs: SocketSpec[] = Array.from({ length: total }, (_, index) => ({ index, user: index % users.length, token: users[index % users.length]!.token }));
  const share = Math.ceil(total / options.workers);
  const workers = Array.from({ length: options.workers }, (_, w) => new SocketWorker(`socket worker ${w + 1}`));
  const sampler = new MemorySampler(pid).start();
  try {
    const idleMb = readMemory(pid).rssMb;
    const connectCpu = readCpuMs(pid);
    const connectStart = performance.now();
    workers.forEach((worker, w) => {
      const sockets = specs.slice(w * share, (w + 1) * share);
      worker.send({ type: 'start', url, total, sockets, connectPerSec: options.connectPerSec / options.workers, maxPending: MAX_PENDING });
    });
    const connectTimeoutMs = 120_000 + (10_000 * total) / options.connectPerSec;
    const connects = await Promise.all(workers.map((worker) => worker.receive('connected', connectTimeoutMs)));
    const connectSec = (performance.now() - connectStart) / 1000;
    const failed = new Set(connects.flatMap((message) => message.failed));
    const connected = total - failed.size;
    const connectCpuMsPerSocket = (readCpuMs(pid) - connectCpu) / Math.max(1, connected);
    const connectedMb = readMemory(pid).rssMb;
    const firstConnectError = connects.find((message) => message.firstError !== undefined)?.firstError;
    log(`  ${connected}/${total} sockets connected in ${connectSec.toFixed(1)} s (app ${connectCpuMsPerSocket.toFixed(2)} CPU ms each), app RSS ${idleMb.toFixed(0)} → ${connectedMb.toFixed(0)} MB${firstConnectError ? `; first error: ${firstConnectError}` : ''}`);
    const socketsOf = users.map(() => 0);
    for (const spec of specs) if (!failed.has(spec.index)) socketsOf[spec.user]! += 1;

    // The warm-up's events are checked like the others, only not timed: the first writes of a fresh
    // process pay for the JIT.
    const stream = { url, users, ratePerSec: options.ratePerSec, title: scaleTitle, now };
    const warm = await streamMutations({ ...stream, durationSec: options.warmUpSec });
    const measuredFrom = Math.round(options.ratePerSec * options.warmUpSec);
    const cpuOf = () => ({ app: readCpuMs(pid), workers: workers.reduce((sum, worker) => sum + (worker.pid ? readCpuMs(worker.pid) : 0), 0) });
    const cpuBefore = cpuOf();
    const streamStart = now();
    const measured = await streamMutations({ ...stream, durationSec: options.durationSec, first: measuredFrom });
    const streamMs = now() - streamStart;
    const cpuAfter = cpuOf();
    await sleep(DRAIN_MS);

    for (const worker of workers) worker.send({ type: 'finish' });
    const results = await Promise.all(workers.map((worker) => worker.receive('result', 60_000)));
    const rss = sampler.stop();
    const counts = tally([...warm.mutations, ...measured.mutations], measuredFrom, results, socketsOf);
    return {
      users: users.length,
      sockets: total,
      workers: options.workers,
      connected,
      firstConnectError,
      connectSec,
      connectCpuMsPerSocket,
      ratePerSec: options.ratePerSec,
      durationSec: options.durationSec,
      mutations: measured.mutations.length,
      failedMutations: warm.failed + measured.failed,
      ...counts,
      appCpuPercent: ((cpuAfter.app - cpuBefore.app) / streamMs) * 100,
      workersCpuPercent: ((cpuAfter.workers - cpuBefore.workers) / streamMs) * 100,
      rss: { idleMb, connectedMb, endMb: rss.endMb, peakMb: rss.peakMb, hwmMb: rss.hwmMb },
    };
  } finally {
    sampler.stop();
    for (const worker of workers) worker.stop();
  }
}

/** Runs that had errors: a socket that did not connect or was dropped, a failed write, an event lost, misdelivered, duplicated or unexpected. */
export function scaleErrors(result: ScaleResult): number {
  const { sockets, connected, failedMutations, lost, misdelivered, duplicated, unexpected, disconnected, mutations } = result;
  return Number(sockets - connected + failedMutations + lost + misdelivered + duplicated + unexpected + disconnected > 0 || mutations === 0);
}
