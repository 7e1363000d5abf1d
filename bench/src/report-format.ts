// Markdown pieces and the targets the Results tables check (docs/benchmarks.md).
import type { LoadResult, Workload } from './http-load.js';

export const ROUTE: Record<Workload, string> = {
  list: 'GET /api/tasks?limit=20',
  get: 'GET /api/tasks/:id',
  create: 'POST /api/tasks',
  patch: 'PATCH /api/tasks/:id',
  log: 'POST /api/tasks/:id/logs',
  mix: 'mix (35% list, 35% get, 10% create, 20% patch)',
};
/** The app's req/s as a share of the floor's: reads, and writes (which carry the change row too). */
export const READ_TARGET = 0.7;
export const WRITE_TARGET = 0.65;
/** Issue 17: the embedded database's get and list, as a share of the app's req/s on PostgreSQL. */
export const EMBEDDED_READ_TARGET = 0.5;
export const HALF_RATE_P99_MS = 25;
/** The app's p99 at half its own maximum rate: at most this many times the baseline's at that rate. */
export const HALF_RATE_P99_RATIO = 2;
export const SOCKET_P99_MS = 50;
export const RSS_MB = 300;

export const ms = (value: number) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : value.toFixed(0)) : '–');
export const mb = (value: number) => value.toFixed(0);
export const mark = (ok: boolean) => (ok ? '✅' : '❌');
/** A share in whole percent, rounded down: 69.6% reads 69%, never as meeting a 70% it misses. */
export const percent = (ratio: number) => `${Math.floor(ratio * 100)}%`;
export const errors = (result: LoadResult) =>
  result.failures > 0 ? ` ⚠️ ${result.failures} errors` : result.total === 0 ? ' ⚠️ no response' : '';

export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export function targetFor(workload: Workload): number | undefined {
  if (workload === 'list' || workload === 'get') return READ_TARGET;
  if (workload === 'create' || workload === 'patch' || workload === 'log') return WRITE_TARGET;
  return undefined;
}
