import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoadResult } from './http-load.js';
import { parseOptions } from './options.js';
import { type BenchReport, printReport, type RatePoint, writeDocs } from './report.js';
import { parseSvg, select } from './svg-tree.fixture.js';

const load = (rps: number, p50: number, p99: number, failures = 0): LoadResult => ({
  rps,
  p50,
  p90: (p50 + p99) / 2,
  p99,
  max: p99 * 2,
  total: rps * 6,
  failures,
  cpuMsPerRequest: 1,
  rss: { startMb: 150, endMb: 160, peakMb: 170, hwmMb: 180 },
});
const point = (fraction: number, rate: number, app: [number, number], baseline: [number, number]): RatePoint => ({
  fraction,
  rate,
  app: load(rate, ...app),
  baseline: load(rate, ...baseline),
});

function sampleReport(): BenchReport {
  return {
    options: parseOptions(['--only=http,half', '--routes=get,create']),
    machine: { cpus: 2, cpuModel: 'Test CPU', memoryGb: 8, node: 'v20.20.2', postgres: 'PostgreSQL 15', os: 'Linux x64', loadAvg: 0.5 },
    startedAt: new Date('2026-12-01T08:00:00Z'),
    finishedAt: new Date('2026-12-01T08:03:00Z'),
    http: { get: { app: load(1000, 8, 17), baseline: load(1300, 7, 12) }, create: { app: load(270, 35, 62), baseline: load(360, 26, 48) } },
    atRate: {
      get: [point(0.25, 250, [3, 10], [2, 8]), point(0.5, 500, [5, 15], [4, 10]), point(0.75, 750, [8, 40], [6, 16])],
      create: [point(0.5, 135, [20, 90], [15, 30])],
    },
    logging: {},
    observability: {},
    pglite: { http: {} },
  };
}

const row = (markdown: string, prefix: string) => markdown.split('\n').filter((line) => line.startsWith(prefix));

describe('writeDocs', () => {
  let docs: string;
  beforeEach(() => {
    docs = mkdtempSync(path.join(tmpdir(), 'bench-docs-'));
  });
  afterEach(() => rmSync(docs, { recursive: true, force: true }));

  it('writes both charts beside benchmarks.md and links them from the Results', () => {
    const file = writeDocs(sampleReport(), docs);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toMatch(/!\[[^\]]+\]\(bench\/http-throughput\.svg\)/);
    expect(markdown).toMatch(/!\[[^\]]+\]\(bench\/latency\.svg\)/);
    const throughput = parseSvg(readFileSync(path.join(docs, 'bench', 'http-throughput.svg'), 'utf8'));
    expect(select(throughput, 'text', 'share').map((node) => node.text)).toEqual(['76% of baseline', '75% of baseline']);
    const latency = parseSvg(readFileSync(path.join(docs, 'bench', 'latency.svg'), 'utf8'));
    expect(select(latency, 'g', 'panel').map((node) => node.attrs['data-route'])).toEqual(['get', 'create']);
    expect(select(select(latency, 'g', 'panel')[0]!, 'circle', 'point', 'app', 'p99')).toHaveLength(3);
  });

  it('replaces only what lies between the markers', () => {
    const file = path.join(docs, 'benchmarks.md');
    writeFileSync(file, '# Benchmarks\n\nby hand\n\n<!-- bench:results:start -->\nold numbers\n<!-- bench:results:end -->\n\n## Analysis\n');
    writeDocs(sampleReport(), docs);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown.startsWith('# Benchmarks\n\nby hand\n\n<!-- bench:results:start -->\n')).toBe(true);
    expect(markdown.endsWith('<!-- bench:results:end -->\n\n## Analysis\n')).toBe(true);
    expect(markdown).not.toContain('old numbers');
  });

  it('checks the app p99 at half its max against twice the baseline p99 at that rate', () => {
    const markdown = readFileSync(writeDocs(sampleReport(), docs), 'utf8');
    const [get] = row(markdown, '| GET /api/tasks/:id | 1000 |');
    const [create] = row(markdown, '| POST /api/tasks | 270 |');
    expect(get).toContain('| 1.5× ✅ |');
    expect(create).toContain('| 3.0× ❌ |');
  });

  it('lists every offered-rate point of every route', () => {
    const markdown = readFileSync(writeDocs(sampleReport(), docs), 'utf8');
    expect(row(markdown, '| GET /api/tasks/:id | 25% | 250 |')).toHaveLength(1);
    expect(row(markdown, '| GET /api/tasks/:id | 75% | 750 | 8.0 / 24 / 40 | 6.0 / 11 / 16 | 2.5× |')).toHaveLength(1);
    expect(row(markdown, '| POST /api/tasks | 50% | 135 |')).toHaveLength(1);
  });

  it('reports the log append like the other writes: the ≥ 65% target, its half-rate point, both charts', () => {
    const report = sampleReport();
    report.http.log = { app: load(300, 30, 55), baseline: load(400, 22, 40) };
    report.atRate.log = [point(0.5, 150, [8, 20], [6, 15])];
    const markdown = readFileSync(writeDocs(report, docs), 'utf8');
    const [log] = row(markdown, '| POST /api/tasks/:id/logs | 300 | 400 |');
    expect(log).toContain('| 75% ✅ (≥ 65%) |');
    expect(log).toContain('| 20 ✅ (150/s) | 15 | 1.3× ✅ |');
    expect(row(markdown, '| POST /api/tasks/:id/logs | 50% | 150 |')).toHaveLength(1);
    const throughput = parseSvg(readFileSync(path.join(docs, 'bench', 'http-throughput.svg'), 'utf8'));
    expect(select(throughput, 'text', 'share').map((node) => node.text)).toEqual(['76% of baseline', '75% of baseline', '75% of baseline']);
    const latency = parseSvg(readFileSync(path.join(docs, 'bench', 'latency.svg'), 'utf8'));
    expect(select(latency, 'g', 'panel').map((node) => node.attrs['data-route'])).toEqual(['get', 'create', 'log']);
  });

  it('checks the embedded get and list against half the app\'s req/s on PostgreSQL, and shows the writes\' share unchecked', () => {
    const report = sampleReport();
    report.http.list = { app: load(800, 8, 20), baseline: load(1000, 7, 15) };
    report.pglite.http = { get: load(499, 2, 8), list: load(400, 5, 14), create: load(100, 10, 30) };
    const markdown = readFileSync(writeDocs(report, docs), 'utf8');
    // 49.9%: rounded down, so the share never reads as the target it misses.
    expect(row(markdown, '| GET /api/tasks/:id | 499 |')[0]).toContain('| 49% ❌ |');
    expect(row(markdown, '| GET /api/tasks?limit=20 | 400 |')[0]).toContain('| 50% ✅ |');
    expect(row(markdown, '| POST /api/tasks | 100 |')[0]).toContain('| 37% |');
  });

  it('writes no chart without data for it', () => {
    writeDocs({ ...sampleReport(), http: {}, atRate: {} }, docs);
    expect(existsSync(path.join(docs, 'bench'))).toBe(false);
    expect(readFileSync(path.join(docs, 'benchmarks.md'), 'utf8')).not.toContain('](bench/');
  });
});

describe('printReport', () => {
  it('counts a failed run at a fixed rate as a failure', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const report = sampleReport();
    expect(printReport(report)).toBe(0);
    report.atRate.get![0] = { ...report.atRate.get![0]!, baseline: load(250, 2, 8, 3) };
    expect(printReport(report)).toBe(1);
    vi.restoreAllMocks();
  });
});
