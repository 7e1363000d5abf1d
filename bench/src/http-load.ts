import autocannon from 'autocannon';
import type { BenchUser } from './database.js';
import { MemorySampler, readCpuMs } from './servers.js';

// `mix` stays last: the report lists routes in this order, and its composition leaves `log` out.
export const WORKLOADS = ['list', 'get', 'create', 'patch', 'log', 'mix'] as const;
export type Workload = (typeof WORKLOADS)[number];

interface Request {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** Builds each request of a workload: a random bench user, one of its own tasks. */
export function requestFactory(workload: Workload, users: readonly BenchUser[]): () => Request {
  let counter = 0;
  const auth = (user: BenchUser) => ({ authorization: `Bearer ${user.token}` });
  const json = (user: BenchUser) => ({ ...auth(user), 'content-type': 'application/json' });
  const list = (): Request => {
    const user = pick(users);
    return { method: 'GET', path: '/api/tasks?limit=20', headers: auth(user) };
  };
  const get = (): Request => {
    const user = pick(users);
    return { method: 'GET', path: `/api/tasks/${pick(user.taskIds)}`, headers: auth(user) };
  };
  const create = (): Request => {
    const user = pick(users);
    counter += 1;
    return {
      method: 'POST',
      path: '/api/tasks',
      headers: json(user),
      body: JSON.stringify({ title: `Bench task ${counter}`, description: 'Created by pnpm bench', priority: 'HIGH' }),
    };
  };
  const patch = (): Request => {
    const user = pick(users);
    counter += 1;
    return {
      method: 'PATCH',
      path: `/api/tasks/${pick(user.taskIds)}`,
      headers: json(user),
      body: JSON.stringify({ title: `Renamed ${counter}` }),
    };
  };
  const appendLog = (): Request => {
    const user = pick(users);
    counter += 1;
    return {
      method: 'POST',
      path: `/api/tasks/${pick(user.taskIds)}/logs`,
      headers: json(user),
      body: JSON.stringify({ level: 'info', message: `Bench step ${counter} done` }),
    };
  };
  switch (workload) {
    case 'list':
      return list;
    case 'get':
      return get;
    case 'create':
      return create;
    case 'patch':
      return patch;
    case 'log':
      return appendLog;
    case 'mix':
      // 70% reads: 35% list, 35% get; 30% writes: 10% create, 20% patch.
      return () => {
        const roll = Math.random();
        if (roll < 0.35) return list();
        if (roll < 0.7) return get();
        if (roll < 0.8) return create();
        return patch();
      };
  }
}

export interface LoadResult {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
  /** Non-2xx responses, errors and timeouts: must be 0 for the run to count. */
  failures: number;
  /** Server CPU time per request, ms: its cost, much less sensitive to other load on the machine than req/s. */
  cpuMsPerRequest: number;
  rss: { startMb: number; endMb: number; peakMb: number; hwmMb: number };
}

export interface LoadOptions {
  url: string;
  pid: number;
  workload: Workload;
  users: readonly BenchUser[];
  connections: number;
  durationSec: number;
  /** Requests per second over all connections; omitted = as fast as the server answers. */
  rate?: number;
}

function cannon(options: LoadOptions, durationSec: number): Promise<autocannon.Result> {
  const next = requestFactory(options.workload, options.users);
  return autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: durationSec,
    ...(options.rate ? { overallRate: options.rate } : {}),
    timeout: 10,
    requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
  });
}

/** One autocannon run against a server, sampling the server's memory while it runs. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  const sampler = new MemorySampler(options.pid).start();
  const cpuBefore = readCpuMs(options.pid);
  const result = await cannon(options, options.durationSec);
  const cpuMs = readCpuMs(options.pid) - cpuBefore;
  const rss = sampler.stop();
  return {
    // Over the run's real length: autocannon ends a run at its first sample tick (every second)
    // after `duration`, so a round of 1.2 s (`--rounds=5`) lasts 2 s.
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
    cpuMsPerRequest: result.requests.total > 0 ? cpuMs / result.requests.total : Number.NaN,
    rss,
  };
}

/** A short unmeasured run first, so the JIT, pools and caches are warm. */
export async function warmUp(options: LoadOptions, seconds: number): Promise<void> {
  if (seconds > 0) await cannon(options, seconds);
}
