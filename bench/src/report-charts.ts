// The report's numbers as the two charts beside docs/benchmarks.md, and writing them there.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type LatencyPanel, latencyChart, type ThroughputGroup, throughputChart } from './charts.js';
import { WORKLOADS, type Workload } from './http-load.js';
import type { BenchReport } from './report.js';

/** Links to the written charts, relative to the docs folder, for the Results' Markdown. */
export interface ChartImages {
  throughput?: string;
  latency?: string;
}

const LABEL: Record<Workload, { label: string; detail: string }> = {
  list: { label: 'list', detail: 'GET /tasks?limit=20' },
  get: { label: 'get', detail: 'GET /tasks/:id' },
  create: { label: 'create', detail: 'POST /tasks' },
  patch: { label: 'patch', detail: 'PATCH /tasks/:id' },
  log: { label: 'log', detail: 'POST /tasks/:id/logs' },
  mix: { label: 'mix', detail: '70% reads, 30% writes' },
};

export function chartSubtitle({ startedAt, machine, options }: BenchReport): string {
  return `Run of ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${machine.cpus} × ${machine.cpuModel} · Node ${machine.node} · ${options.connections} connections`;
}

export function throughputGroups(report: BenchReport): ThroughputGroup[] {
  return WORKLOADS.flatMap((w) => {
    const pair = report.http[w];
    return pair ? [{ ...LABEL[w], app: pair.app.rps, baseline: pair.baseline.rps }] : [];
  });
}

export function latencyPanels(report: BenchReport): LatencyPanel[] {
  return WORKLOADS.flatMap((w) => {
    const points = report.atRate[w];
    if (!points?.length) return [];
    const appMax = report.http[w]?.app.rps;
    return [{ ...LABEL[w], ...(appMax === undefined ? {} : { appMax }), points: points.map(({ rate, app, baseline }) => ({ rate, app, baseline })) }];
  });
}

/** Writes the charts the report has data for to <docsDir>/bench/ and returns their links. */
export function writeCharts(report: BenchReport, docsDir: string): ChartImages {
  const dir = path.join(docsDir, 'bench');
  const write = (name: string, svg: string): string => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, name), svg);
    return `bench/${name}`;
  };
  const subtitle = chartSubtitle(report);
  const groups = throughputGroups(report);
  const panels = latencyPanels(report);
  return {
    ...(groups.length > 0 ? { throughput: write('http-throughput.svg', throughputChart(groups, subtitle)) } : {}),
    ...(panels.length > 0 ? { latency: write('latency.svg', latencyChart(panels, subtitle)) } : {}),
  };
}
