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
  /**
   * Full-speed runs and the half-rate point measure each server in this many rounds, app and
   * baseline alternating, `durationSec / rounds` each; the median round of each server counts.
   */
  rounds: number;
  /** Fractions of the app's own maximum rate at which both servers run at a fixed offered rate. */
  rateFractions: number[];
  /** Each server at half the app's maximum: the point the p99 target is checked at. */
  halfRateSec: number;
  /** Each server at the other fractions: shorter, they only draw the latency curve. */
  rateSec: number;
  soakSec: number;
  users: number;
  tasksPerUser: number;
  socket: { clients: number; ratePerSec: number; durationSec: number };
  pglite: { users: number; tasksPerUser: number; warmUpSec: number; durationSec: number; clients: number; ratePerSec: number; socketSec: number };
  /** Sockets at scale: `socketsPerUser` × `users` sockets held by `workers` child processes, opened at `connectPerSec`. */
  scale: { users: number; socketsPerUser: number; tasksPerUser: number; workers: number; connectPerSec: number; warmUpSec: number; ratePerSec: number; durationSec: number };
  /** Parts to run (all by default). */
  parts: Set<Part>;
  /** HTTP workloads to run (all by default). */
  workloads: Workload[];
  /** Write docs/benchmarks.md and its charts (full runs only, unless --write). */
  write: boolean;
  /** Where benchmarks.md and bench/*.svg are written: docs/, or `--docs-dir=DIR` (e.g. a scratch copy). */
  docsDir: string | undefined;
  /** Start the app with --cpu-prof, profiles under bench/profiles/. */
  cpuProf: boolean;
  /** Count the app's SQL statements (bench/profiles/sql-*.json). */
  traceSql: boolean;
  /** The node binary that runs the app, the baseline and the migrator (`--node=PATH` or BENCH_NODE). */
  node: string;
}

export const PARTS = ['http', 'half', 'socket', 'soak', 'logging', 'observability', 'pglite', 'resume', 'scale'] as const;
export type Part = (typeof PARTS)[number];
/** Cost measurements of one setting each, run on request (`--only=`), so a full run stays under 15 minutes. */
const OPT_IN = new Set<Part>(['logging', 'observability']);
/** Parts a full run has and `--smoke` leaves out. */
const FULL_ONLY = new Set<Part>(['resume', 'scale']);

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

export const USAGE = `pnpm bench [--smoke] [--only=http,half,socket,soak,logging,observability,pglite,resume,scale] [--duration=S] [--warmup=S]
           [--routes=list,get,create,patch,log,mix] [--rounds=N] [--soak=S] [--connections=N] [--pool=N] [--node=PATH]
           [--write | --no-write] [--docs-dir=DIR] [--cpu-prof] [--trace-sql] [--keep-logs]
  rounds: full speed and half rate alternate app and baseline N times (default 3; smoke 1), medians count
  half: each route at 25%, 50% and 75% of the app's own maximum rate, app and baseline at the same rate (smoke: 50% only)
  resume: a client that missed 10,000 changes reconnects with auth.since (catch-up time, app RSS)
  scale: 10,000 sockets (10 for each of 1,000 users) in worker processes, 200 writes/s; delivery and app RSS
  logging, observability: only with --only (cost of one setting each; not in the default run)
  observability: the app with metrics on (METRICS_PORT) and with tracing on (OTLP to a local sink) against both off
  --node=PATH (or BENCH_NODE=PATH): run the servers on that node binary, e.g. Node 24 beside Node 20`;

export function parseOptions(args: readonly string[]): BenchOptions {
  const smoke = args.includes('--smoke');
  const only = flag(args, 'only');
  const parts = new Set<Part>(
    only === undefined
      ? PARTS.filter((part) => !OPT_IN.has(part) && (!smoke || !FULL_ONLY.has(part)))
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
    rounds: Math.max(1, Math.floor(number(args, 'rounds', smoke ? 1 : 3))),
    // Smoke keeps only the target's point, so CI does not grow.
    rateFractions: smoke ? [0.5] : [0.25, 0.5, 0.75],
    halfRateSec: smoke ? 2 : durationSec,
    rateSec: smoke ? 2 : Math.min(durationSec, 4),
    soakSec: number(args, 'soak', smoke ? 5 : 300),
    users: 100,
    tasksPerUser: smoke ? 100 : 1_000,
    socket: smoke ? { clients: 200, ratePerSec: 40, durationSec: 3 } : { clients: 1_000, ratePerSec: 100, durationSec: 20 },
    pglite: smoke
      ? { users: 10, tasksPerUser: 100, warmUpSec: 1, durationSec: 2, clients: 20, ratePerSec: 10, socketSec: 2 }
      : { users: 100, tasksPerUser: 200, warmUpSec: 1, durationSec: 3, clients: 100, ratePerSec: 20, socketSec: 5 },
    scale: smoke
      ? { users: 20, socketsPerUser: 10, tasksPerUser: 5, workers: 2, connectPerSec: 200, warmUpSec: 1, ratePerSec: 40, durationSec: 3 }
      : { users: 1_000, socketsPerUser: 10, tasksPerUser: 5, workers: 4, connectPerSec: 500, warmUpSec: 3, ratePerSec: 200, durationSec: 30 },
    parts,
    workloads,
    write: args.includes('--write') || (!smoke && !args.includes('--no-write')),
    docsDir: flag(args, 'docs-dir'),
    cpuProf: args.includes('--cpu-prof'),
    traceSql: args.includes('--trace-sql'),
    node: flag(args, 'node') ?? (process.env.BENCH_NODE || process.execPath),
  };
}
