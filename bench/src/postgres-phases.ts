// The measured phases of the PostgreSQL part, in the order `runPostgres` calls them.
import type { BenchUser } from './database.js';
import { type LoadResult, measure, warmUp, type Workload } from './http-load.js';
import { log, options, type Stops } from './context.js';
import { startApp } from './launch.js';
import type { BenchReport, RatePoint } from './report.js';
import { freePort, type RunningServer, startOtlpSink } from './servers.js';
import { measureDelivery } from './socket-load.js';
import { medianOf } from './rounds.js';
import { alternating, loadOptions, logRate, maxRate } from './steps.js';

export interface PostgresServers {
  app: RunningServer;
  baseline: RunningServer;
  /** The LOG_LEVEL=info instance, when the logging part runs. */
  appInfo: RunningServer | undefined;
  env: NodeJS.ProcessEnv;
  users: BenchUser[];
  /** The workloads measured with the request log on. */
  logged: readonly Workload[];
}

/** How `seconds` of measurement per server are split, for the log. */
const roundsText = (seconds: number): string =>
  options.rounds > 1 ? `${options.rounds} rounds of ${seconds / options.rounds} s alternating, medians` : `${seconds} s each, app first`;

/** Each workload at full speed, app then baseline (and the info-logging instance where asked). */
export async function measureHttp(report: BenchReport, { app, baseline, appInfo, users, logged }: PostgresServers): Promise<void> {
  if (options.parts.has('http')) {
    log(`HTTP at full speed (each workload: app and baseline warmed up, then ${roundsText(options.durationSec)})`);
    for (const workload of options.workloads) {
      for (const server of [app, baseline]) await warmUp(loadOptions(server, workload, users, options.warmUpSec), options.warmUpSec);
      const { app: appResult, baseline: baseResult, rounds } = await alternating({ app, baseline }, workload, users, options.durationSec, options.rounds);
      logRate(app, workload, appResult, rounds.app);
      logRate(baseline, workload, baseResult, rounds.baseline);
      report.http[workload] = { app: appResult, baseline: baseResult };
      if (appInfo && logged.includes(workload)) {
        report.logging[workload] = { warn: appResult, info: await maxRate(appInfo, workload, users, options.warmUpSec, options.durationSec) };
      }
    }
  } else if (appInfo) {
    log('LOG_LEVEL=info (one request log line per request) against warn');
    for (const workload of logged) {
      const warn = await maxRate(app, workload, users, options.warmUpSec, options.durationSec);
      report.logging[workload] = { warn, info: await maxRate(appInfo, workload, users, options.warmUpSec, options.durationSec) };
    }
  }
}

/** A fixed offered rate: a fraction of the app's own maximum, at least 1 req/s. */
export const rateAt = (max: number, fraction: number): number => Math.max(1, Math.floor(max * fraction));

/** Adds a point to a route's latency curve, kept in rate order. */
export function addRatePoint(report: BenchReport, workload: Workload, point: RatePoint): void {
  report.atRate[workload] = [...(report.atRate[workload] ?? []).filter((p) => p.fraction !== point.fraction), point].sort((a, b) => a.fraction - b.fraction);
}

/**
 * Each route at fixed offered rates, fractions of the app's own maximum, the app then the baseline
 * at each: latency against load, and at half the maximum the p99 target against the machine's floor.
 */
export async function measureOfferedRates(report: BenchReport, { app, baseline, users }: PostgresServers): Promise<void> {
  log(`HTTP at ${options.rateFractions.map((f) => `${f * 100}%`).join(', ')} of the app's own maximum rate (app, then baseline at the same rate; at 50%, ${roundsText(options.halfRateSec)})`);
  for (const workload of options.workloads) {
    const max = report.http[workload]?.app.rps ?? (await maxRate(app, workload, users, options.warmUpSec, options.durationSec)).rps;
    for (const fraction of options.rateFractions) {
      // The soak runs the mix at half its maximum for longer: that run is the mix's half-rate point.
      if (fraction === 0.5 && workload === 'mix' && options.parts.has('soak')) continue;
      const rate = rateAt(max, fraction);
      // The target's point in alternating rounds, as the full-speed runs; the others only draw the curve.
      const rounds = fraction === 0.5 ? options.rounds : 1;
      const seconds = fraction === 0.5 ? options.halfRateSec : options.rateSec;
      const measured = await alternating({ app, baseline }, workload, users, seconds, rounds, rate);
      const { app: result, baseline: base } = measured;
      addRatePoint(report, workload, { fraction, rate, app: result, baseline: base });
      const each = (runs: readonly LoadResult[]) => (runs.length > 1 ? ` (rounds ${runs.map((r) => r.p99).join(', ')})` : '');
      log(`  ${workload.padEnd(6)} ${rate} req/s (${fraction * 100}%): app p50 ${result.p50} p90 ${result.p90} p99 ${result.p99} ms${each(measured.rounds.app)}${result.failures ? `  FAILURES ${result.failures}` : ''}; baseline p50 ${base.p50} p90 ${base.p90} p99 ${base.p99} ms${each(measured.rounds.baseline)}${base.failures ? `  FAILURES ${base.failures}` : ''}`);
    }
  }
}

/**
 * Two more instances of the same build on the same database: metrics on, and tracing on (exporting
 * to a local sink), each measured right after the plain instance on every workload.
 */
export async function measureObservability(report: BenchReport, { app, env, users }: PostgresServers, stops: Stops): Promise<void> {
  const sink = await startOtlpSink();
  stops.push(() => sink.close());
  const metricsOn = await startApp('app-metrics', { ...env, METRICS_PORT: String(await freePort()) });
  stops.push(() => metricsOn.stop());
  const tracingOn = await startApp('app-tracing', { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  stops.push(() => tracingOn.stop());
  for (const server of [metricsOn, tracingOn]) {
    await warmUp(loadOptions(server, 'mix', users, options.globalWarmUpSec), options.globalWarmUpSec);
  }
  log('observability: both off, metrics on, tracing on (each workload, back to back)');
  const run = (server: RunningServer, workload: Workload) => maxRate(server, workload, users, options.warmUpSec, options.durationSec);
  for (const workload of options.workloads) {
    // Off, metrics, tracing, then the reverse, each pair averaged: the run's position alone moves
    // req/s by more than the cost measured (docs/benchmarks.md §13).
    const [off, metrics, tracing] = [await run(app, workload), await run(metricsOn, workload), await run(tracingOn, workload)];
    const [tracing2, metrics2, off2] = [await run(tracingOn, workload), await run(metricsOn, workload), await run(app, workload)];
    report.observability[workload] = { off: medianOf([off, off2]), metrics: medianOf([metrics, metrics2]), tracing: medianOf([tracing, tracing2]) };
  }
  log(`  the OTLP sink received ${sink.spansBatches()} span batches`);
}

/** Socket.IO delivery under a steady stream, not an overload: at most half the app's measured write capacity. */
export async function measureSocket(report: BenchReport, { app, users }: PostgresServers): Promise<void> {
  // The capacity of the writes the stream sends (creates and title edits); log appends are not among them.
  const writeMax = Math.min(report.http.create?.app.rps ?? Infinity, report.http.patch?.app.rps ?? Infinity);
  const ratePerSec = Math.max(1, Math.min(options.socket.ratePerSec, Math.floor(writeMax / 2)));
  log(`Socket.IO: ${options.socket.clients} clients, ${ratePerSec} mutations/s for ${options.socket.durationSec}s`);
  report.socket = await measureDelivery({ url: app.url, pid: app.pid, users, ...options.socket, ratePerSec });
  app.assertRunning();
  log(`  delivered ${report.socket.delivered}/${report.socket.expected}, lost ${report.socket.lost}, misdelivered ${report.socket.misdelivered}; p50 ${report.socket.p50.toFixed(1)} ms p99 ${report.socket.p99.toFixed(1)} ms`);
}

/** The mix at half the max for the soak duration, then the baseline at the same rate. */
export async function measureSoak(report: BenchReport, { app, baseline, users }: PostgresServers): Promise<void> {
  const max = report.http.mix?.app.rps ?? (await maxRate(app, 'mix', users, options.warmUpSec, options.durationSec)).rps;
  const rate = rateAt(max, 0.5);
  log(`soak: mix at ${rate} req/s (half the max) for ${options.soakSec}s`);
  const result = await measure(loadOptions(app, 'mix', users, options.soakSec, rate));
  app.assertRunning();
  report.soak = { rate, result };
  const base = await measure(loadOptions(baseline, 'mix', users, options.halfRateSec, rate));
  addRatePoint(report, 'mix', { fraction: 0.5, rate, app: result, baseline: base });
  log(`  baseline mix at ${rate} req/s for ${options.halfRateSec}s: p50 ${base.p50} ms  p99 ${base.p99} ms`);
  log(`  p99 ${result.p99} ms; RSS ${result.rss.startMb.toFixed(0)} → ${result.rss.endMb.toFixed(0)} MB (peak ${result.rss.peakMb.toFixed(0)})`);
}
