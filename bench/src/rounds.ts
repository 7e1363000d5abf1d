// Several measured rounds of one server, read as one.
import type { LoadResult } from './http-load.js';

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Rounds of one server as one: the median of each rate, latency and CPU figure; totals summed; peaks kept. */
export function medianOf(results: readonly LoadResult[]): LoadResult {
  const first = results[0];
  const last = results.at(-1);
  if (!first || !last) throw new Error('medianOf needs at least one result');
  const of = (figure: (result: LoadResult) => number): number => median(results.map(figure));
  return {
    rps: of((r) => r.rps),
    p50: of((r) => r.p50),
    p90: of((r) => r.p90),
    p99: of((r) => r.p99),
    max: Math.max(...results.map((r) => r.max)),
    total: results.reduce((sum, r) => sum + r.total, 0),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    cpuMsPerRequest: of((r) => r.cpuMsPerRequest),
    rss: {
      startMb: first.rss.startMb,
      endMb: last.rss.endMb,
      peakMb: Math.max(...results.map((r) => r.rss.peakMb)),
      hwmMb: Math.max(...results.map((r) => r.rss.hwmMb)),
    },
  };
}
