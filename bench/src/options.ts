import { WORKLOADS, type Workload } from './http-load.js';

/** How long and how hard each part runs; `--smoke` is the ~1-minute CI variant. */
export interface BenchOptions {
  smoke: boolean;
  /** Concurrent HTTP connections of every autocannon run (app and baseline alike). */
  connections: number;
  /** DATABASE_POOL_SIZE of the app, and the pg pool of the baseline. */
  poolSize: number;
  warmUpSec: number;
  /** Mixed warm-up of each server before the first measurement. */
  globalWarmUpSec: number;
  durationSec: number;
  halfRateSec: number;
  soakSec: number;
  users: number;
  tasksPerUser: number;
  socket: { clients: number; ratePerSec: number; durationSec: number };
  pglite: { users: number; tasksPerUser: number; warmUpSec: number; durationSec: number; clients: number; ratePerSec: number; socketSec: number };
  /** Parts to run (all by default). */
  parts: Set<Part>;
  /** HTTP workloads to run (all by default). */
  workloads: Workload[];
  /** Write docs/benchmarks.md (full runs only, unless --write). */
  write: boolean;
  /** Start the app with --cpu-prof, profiles under bench/profiles/. */
  cpuProf: boolean;
  /** Count the app's SQL statements (bench/profiles/sql-*.json). */
  traceSql: boolean;
  /** The node binary that runs the app, the baseline and the migrator (`--node=PATH` or BENCH_NODE). */
  node: string;
}

export const PARTS = ['http', 'half', 'socket', 'soak', 'logging', 'observability', 'pglite', 'resume'] as const;
export type Part = (typeof PARTS)[number];

function flag(args: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function number(args: readonly string[], name: string, fallback: number): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

export const USAGE = `pnpm bench [--smoke] [--only=http,half,socket,soak,logging,observability,pglite,resume] [--duration=S] [--warmup=S]
           [--routes=list,get,create,patch,mix] [--soak=S] [--connections=N] [--pool=N] [--node=PATH]
           [--write | --no-write] [--cpu-prof] [--trace-sql] [--keep-logs]
  resume: a client that missed 10,000 changes reconnects with auth.since (catch-up time, app RSS)
  observability: the app with metrics on (METRICS_PORT) and with tracing on (OTLP to a local sink) against both off
  --node=PATH (or BENCH_NODE=PATH): run the servers on that node binary, e.g. Node 24 beside Node 20`;

export function parseOptions(args: readonly string[]): BenchOptions {
  const smoke = args.includes('--smoke');
  const only = flag(args, 'only');
  const parts = new Set<Part>(
    only === undefined
      ? PARTS.filter((part) => !smoke || (part !== 'logging' && part !== 'observability' && part !== 'resume'))
      : only.split(',').map((part) => {
          if (!(PARTS as readonly string[]).includes(part)) throw new Error(`unknown part "${part}"; parts: ${PARTS.join(', ')}`);
          return part as Part;
        }),
  );
  const durationSec = number(args, 'duration', smoke ? 2 : 6);
  const routes = flag(args, 'routes');
  const workloads =
    routes === undefined
      ? [...WORKLOADS]
      : routes.split(',').map((name) => {
          if (!(WORKLOADS as readonly string[]).includes(name)) throw new Error(`unknown route "${name}"; routes: ${WORKLOADS.join(', ')}`);
          return name as Workload;
        });
  return {
    smoke,
    connections: number(args, 'connections', 10),
    poolSize: number(args, 'pool', 10),
    warmUpSec: number(args, 'warmup', smoke ? 1 : 2),
    globalWarmUpSec: smoke ? 2 : 6,
    durationSec,
    halfRateSec: smoke ? 2 : durationSec,
    soakSec: number(args, 'soak', smoke ? 5 : 300),
    users: 100,
    tasksPerUser: smoke ? 100 : 1_000,
    socket: smoke ? { clients: 200, ratePerSec: 40, durationSec: 3 } : { clients: 1_000, ratePerSec: 100, durationSec: 20 },
    pglite: smoke
      ? { users: 10, tasksPerUser: 100, warmUpSec: 1, durationSec: 2, clients: 20, ratePerSec: 10, socketSec: 2 }
      : { users: 100, tasksPerUser: 200, warmUpSec: 1, durationSec: 3, clients: 100, ratePerSec: 20, socketSec: 5 },
    parts,
    workloads,
    write: args.includes('--write') || (!smoke && !args.includes('--no-write')),
    cpuProf: args.includes('--cpu-prof'),
    traceSql: args.includes('--trace-sql'),
    node: flag(args, 'node') ?? (process.env.BENCH_NODE || process.execPath),
  };
}
