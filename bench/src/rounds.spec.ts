import { describe, expect, it } from 'vitest';
import type { LoadResult } from './http-load.js';
import { median, medianOf } from './rounds.js';

const result = (rps: number, p99: number, rss: { peakMb: number; hwmMb: number }, extra: Partial<LoadResult> = {}): LoadResult => ({
  rps,
  p50: p99 / 4,
  p90: p99 / 2,
  p99,
  max: p99 * 2,
  total: rps * 2,
  failures: 0,
  cpuMsPerRequest: 1000 / rps,
  rss: { startMb: rss.peakMb - 10, endMb: rss.peakMb - 5, ...rss },
  ...extra,
});

describe('median', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([7])).toBe(7);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });
});

describe('medianOf', () => {
  it('takes each figure’s median, so one disturbed round decides nothing', () => {
    const rounds = [result(5000, 3, { peakMb: 200, hwmMb: 210 }), result(2000, 13, { peakMb: 250, hwmMb: 260 }), result(5200, 4, { peakMb: 205, hwmMb: 215 })];
    const one = medianOf(rounds);
    expect(one.rps).toBe(5000);
    expect(one.p99).toBe(4);
    expect(one.cpuMsPerRequest).toBe(1000 / 5000);
  });

  it('sums totals and failures, keeps the worst max latency and peak memory, spans first start to last end', () => {
    const rounds = [result(100, 10, { peakMb: 200, hwmMb: 210 }, { failures: 1 }), result(300, 30, { peakMb: 250, hwmMb: 260 }, { failures: 2 })];
    const one = medianOf(rounds);
    // Of two rounds, each figure is their mean (how the observability part combines its pairs).
    expect(one.rps).toBe(200);
    expect(one.p99).toBe(20);
    expect(one.total).toBe(800);
    expect(one.failures).toBe(3);
    expect(one.max).toBe(60);
    expect(one.rss).toEqual({ startMb: 190, endMb: 245, peakMb: 250, hwmMb: 260 });
  });

  it('refuses no rounds at all', () => {
    expect(() => medianOf([])).toThrow();
  });
});
