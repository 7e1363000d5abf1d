import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult, Workload } from './http-load.js';
import { WORKLOADS } from './http-load.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { repoDir } from './paths.js';
import { type ChartImages, writeCharts } from './report-charts.js';
import { EMBEDDED_READ_TARGET, errors, HALF_RATE_P99_MS, mark, mb, ms, percent, ROUTE, RSS_MB, SOCKET_P99_MS, table } from './report-format.js';
import { httpSections } from './report-http.js';
import type { ResumeResult } from './resume-part.js';
import { renderSocketScale } from './report-scale.js';
import { scaleErrors, type ScaleResult } from './socket-scale.js';
import type { DeliveryResult } from './socket-load.js';

/** Both servers at one fixed offered rate, a fraction of the app's own maximum. */
export interface RatePoint {
  fraction: number;
  rate: number;
  app: LoadResult;
  baseline: LoadResult;
}

export interface BenchReport {
  options: BenchOptions;
  machine: MachineInfo;
  startedAt: Date;
  finishedAt?: Date;
  seedSec?: number;
  passwordHash?: string;
  http: Partial<Record<Workload, { app: LoadResult; baseline: LoadResult }>>;
  /** Latency against offered rate per route, in rate order; the 0.5 point is the p99 target's. */
  atRate: Partial<Record<Workload, RatePoint[]>>;
  socket?: DeliveryResult;
  soak?: { rate: number; result: LoadResult };
  logging: Partial<Record<Workload, { warn: LoadResult; info: LoadResult }>>;
  /** The same build with metrics on, and with tracing on, against both off. */
  observability: Partial<Record<Workload, { off: LoadResult; metrics: LoadResult; tracing: LoadResult }>>;
  appHwmMb?: number;
  resume?: ResumeResult;
  /** 10,000 sockets on one instance under a steady write stream (`--only=scale`). */
  scale?: ScaleResult;
  pglite: { version?: string; seedSec?: number; http: Partial<Record<Workload, LoadResult>>; socket?: DeliveryResult };
}

/** The results as Markdown (printed, and written between the markers of docs/benchmarks.md). */
export function renderResults(report: BenchReport, images: ChartImages = {}): string {
  const { machine, options } = report;
  const out: string[] = [];
  const minutes = report.finishedAt ? ((report.finishedAt.getTime() - report.startedAt.getTime()) / 60_000).toFixed(1) : '?';
  out.push(
    `Run of ${report.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (${options.smoke ? 'smoke' : 'full'}, ${minutes} min): ` +
      `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb.toFixed(1)} GB RAM, ${machine.os}, Node ${machine.node}, ` +
      `${machine.postgres}${report.pglite.version ? `, PGlite ${report.pglite.version}` : ''}. Load average at start: ${machine.loadAvg.toFixed(2)}.`,
    '',
    `Data: ${options.users} users × ${options.tasksPerUser} tasks${report.seedSec ? ` (seeded in ${report.seedSec.toFixed(1)} s)` : ''}. ` +
      `Every HTTP run: ${options.connections} connections, ${options.warmUpSec} s warm-up + ${options.durationSec} s measured, app and baseline back to back` +
      `${options.rounds > 1 ? ` (at full speed and at half the maximum: ${options.rounds} alternating rounds of ${options.durationSec / options.rounds} s for each server, after both warm-ups; each server's median round counts)` : ''}; ` +
      `pool size ${options.poolSize} for both; LOG_LEVEL=warn.`,
    '',
  );

  out.push(...httpSections(report, images));

  if (report.socket) {
    const s = report.socket;
    out.push('### Socket.IO delivery (PostgreSQL)', '');
    out.push(
      table(
        ['clients', 'mutations', 'events expected', 'delivered', 'lost', 'misdelivered', 'duplicates', 'unexpected', 'response → event p50 / p99 ms', 'request → event p50 / p99 ms', 'app peak RSS MB'],
        [[`${s.clients}`, `${s.mutations}${s.failedMutations ? ` (${s.failedMutations} failed)` : ''}`, `${s.expected}`, `${s.delivered}`, `${s.lost} ${mark(s.lost === 0)}`, `${s.misdelivered} ${mark(s.misdelivered === 0)}`, `${s.duplicates}`, `${s.unexpected}`, `${ms(s.p50)} / ${ms(s.p99)} ${mark(s.p99 <= SOCKET_P99_MS)}`, `${ms(s.endToEnd.p50)} / ${ms(s.endToEnd.p99)}`, mb(s.rss.peakMb)]],
      ),
      '',
      `${s.clients} sockets connected in ${s.connectSec.toFixed(1)} s; creates and title edits alternate at ${s.ratePerSec}/s (at most half the app's measured write capacity) for ${s.durationSec} s. ` +
        `"response → event" is the owner socket's event time minus the HTTP response time on the client's clock (zero when the event overtakes the response: ${(s.beforeResponse * 100).toFixed(0)}% of events did, since the server emits right after commit, before it writes the response); ` +
        '"request → event" is measured from sending the mutation, the whole path a change takes to a watching client.',
      '',
    );
  }

  if (report.soak) {
    const { rate, result } = report.soak;
    const growth = result.rss.endMb - result.rss.startMb;
    out.push('### Soak: mix at half the maximum rate', '');
    out.push(
      table(
        ['duration', 'rate', 'requests', 'p50 / p99 ms', 'RSS start → end MB', 'peak RSS MB', 'growth'],
        [[`${options.soakSec} s`, `${rate}/s`, `${result.total}${errors(result)}`, `${ms(result.p50)} / ${ms(result.p99)} ${mark(result.p99 <= HALF_RATE_P99_MS)}`, `${mb(result.rss.startMb)} → ${mb(result.rss.endMb)}`, mb(result.rss.peakMb), `${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB`]],
      ),
      '',
    );
  }

  const logged = WORKLOADS.filter((w) => report.logging[w]);
  if (logged.length > 0) {
    out.push('### Logging cost: LOG_LEVEL=info (request log, one line per request, to a file) vs warn', '', 'A second app instance at info, run right after the warn instance on the same workload.', '');
    out.push(
      table(
        ['route', 'warn req/s', 'info req/s', 'change', 'info p50 / p99 ms', 'CPU ms/req warn / info'],
        logged.map((w) => {
          const { info, warn } = report.logging[w]!;
          return [
            ROUTE[w],
            warn.rps.toFixed(0),
            `${info.rps.toFixed(0)}${errors(info)}`,
            `${(((info.rps - warn.rps) / warn.rps) * 100).toFixed(0)}%`,
            `${ms(info.p50)} / ${ms(info.p99)}`,
            `${warn.cpuMsPerRequest.toFixed(2)} / ${info.cpuMsPerRequest.toFixed(2)}`,
          ];
        }),
      ),
      '',
    );
  }

  const observed = WORKLOADS.filter((w) => report.observability[w]);
  if (observed.length > 0) {
    const change = (on: LoadResult, off: LoadResult) => `${(((on.rps - off.rps) / off.rps) * 100).toFixed(1)}%`;
    out.push(
      '### Observability cost: metrics on (METRICS_PORT), tracing on (OTLP/HTTP to a local sink) vs both off',
      '',
      'Three instances of the same build on the same database, measured on each workload in the order off, metrics, tracing and then the reverse, each pair averaged; no scraper ran during the runs.',
      '',
    );
    out.push(
      table(
        ['route', 'off req/s', 'metrics req/s', 'change', 'tracing req/s', 'change', 'p99 ms off / metrics / tracing', 'CPU ms/req off / metrics / tracing'],
        observed.map((w) => {
          const { off, metrics, tracing } = report.observability[w]!;
          return [
            ROUTE[w],
            `${off.rps.toFixed(0)}${errors(off)}`,
            `${metrics.rps.toFixed(0)}${errors(metrics)}`,
            change(metrics, off),
            `${tracing.rps.toFixed(0)}${errors(tracing)}`,
            change(tracing, off),
            `${ms(off.p99)} / ${ms(metrics.p99)} / ${ms(tracing.p99)}`,
            `${off.cpuMsPerRequest.toFixed(2)} / ${metrics.cpuMsPerRequest.toFixed(2)} / ${tracing.cpuMsPerRequest.toFixed(2)}`,
          ];
        }),
      ),
      '',
    );
  }

  const pgliteRoutes = WORKLOADS.filter((w) => report.pglite.http[w]);
  if (pgliteRoutes.length > 0) {
    out.push(`### Embedded PGlite (short run: ${options.pglite.users} users × ${options.pglite.tasksPerUser} tasks, ${options.pglite.durationSec} s per route after ${options.pglite.warmUpSec} s of warm-up; a ${options.globalWarmUpSec} s mixed warm-up first, as on PostgreSQL)`, '');
    out.push(
      table(
        ['route', 'req/s', `share of the app's req/s on PostgreSQL (reads ≥ ${EMBEDDED_READ_TARGET * 100}%)`, 'p50 / p99 ms', 'CPU ms/req', 'peak RSS MB'],
        pgliteRoutes.map((w) => {
          const r = report.pglite.http[w]!;
          const onPostgres = report.http[w]?.app.rps;
          const share = onPostgres ? r.rps / onPostgres : undefined;
          const target = w === 'get' || w === 'list' ? ` ${mark((share ?? 0) >= EMBEDDED_READ_TARGET)}` : '';
          return [ROUTE[w], `${r.rps.toFixed(0)}${errors(r)}`, share === undefined ? '–' : `${percent(share)}${target}`, `${ms(r.p50)} / ${ms(r.p99)}`, r.cpuMsPerRequest.toFixed(2), mb(r.rss.peakMb)];
        }),
      ),
      '',
    );
    const s = report.pglite.socket;
    if (s) out.push(`Socket.IO on PGlite: ${s.clients} clients, ${s.mutations} mutations, ${s.delivered}/${s.expected} events delivered, ${s.lost} lost, ${s.misdelivered} misdelivered; p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms.`, '');
  }

  if (report.scale) out.push(renderSocketScale(report.scale), '');

  const peaks = [...Object.values(report.http).map((pair) => pair.app.rss.peakMb), report.soak?.result.rss.peakMb ?? 0, report.socket?.rss.peakMb ?? 0];
  if (peaks.some((p) => p > 0)) {
    const peak = Math.max(...peaks);
    out.push(`App peak RSS on PostgreSQL: ${mb(peak)} MB sampled, ${mb(report.appHwmMb ?? 0)} MB VmHWM ${mark(Math.max(peak, report.appHwmMb ?? 0) <= RSS_MB)} (target ≤ ${RSS_MB} MB).`, '');
  }
  return out.join('\n');
}

/** Prints the tables; returns how many runs had errors or lost events (they fail the run). */
export function printReport(report: BenchReport): number {
  console.log(`\n${renderResults(report)}`);
  let failures = 0;
  const bad = (result: LoadResult) => Number(result.failures > 0 || result.total === 0);
  for (const pair of Object.values(report.http)) failures += bad(pair.app) + bad(pair.baseline);
  for (const point of Object.values(report.atRate).flat()) failures += bad(point.app) + bad(point.baseline);
  for (const result of [...Object.values(report.logging).map((pair) => pair.info), ...Object.values(report.pglite.http)]) failures += bad(result);
  for (const trio of Object.values(report.observability)) failures += bad(trio.metrics) + bad(trio.tracing);
  if (report.resume) failures += Number(report.resume.errors > 0);
  if (report.scale) failures += scaleErrors(report.scale);
  for (const s of [report.socket, report.pglite.socket]) {
    if (s) failures += Number(s.lost + s.misdelivered + s.duplicates + s.unexpected + s.failedMutations > 0 || s.mutations === 0);
  }
  return failures;
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/**
 * Writes the charts to <docsDir>/bench/ and replaces the results between the markers of
 * <docsDir>/benchmarks.md, keeping the hand-written analysis around them.
 */
export function writeDocs(report: BenchReport, docsDir = path.join(repoDir, 'docs')): string {
  const file = path.join(docsDir, 'benchmarks.md');
  const results = `${START}\n${renderResults(report, writeCharts(report, docsDir))}\n${END}`;
  let text: string;
  if (existsSync(file)) {
    text = readFileSync(file, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    text = start >= 0 && end > start ? text.slice(0, start) + results + text.slice(end + END.length) : `${text.trimEnd()}\n\n## Results\n\n${results}\n`;
  } else {
    text = `# Benchmarks\n\nGenerated by \`pnpm bench\`.\n\n## Results\n\n${results}\n`;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}
