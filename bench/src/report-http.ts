// The HTTP sections of the Results: full speed against the baseline, and latency at fixed offered rates.
import { WORKLOADS } from './http-load.js';
import type { ChartImages } from './report-charts.js';
import { errors, HALF_RATE_P99_MS, HALF_RATE_P99_RATIO, mark, mb, ms, percent, ROUTE, table, targetFor } from './report-format.js';
import type { BenchReport, RatePoint } from './report.js';

const half = (points: readonly RatePoint[] | undefined) => points?.find((point) => point.fraction === 0.5);

/** App p99 over the baseline's at the same offered rate, checked against the issue 17 target. */
function p99Ratio(point: RatePoint | undefined): string {
  if (!point || !(point.baseline.p99 > 0)) return '–';
  const ratio = point.app.p99 / point.baseline.p99;
  return `${ratio.toFixed(1)}× ${mark(ratio <= HALF_RATE_P99_RATIO)}`;
}

export function httpSections(report: BenchReport, images: ChartImages): string[] {
  const out: string[] = [];
  const workloads = WORKLOADS.filter((w) => report.http[w]);
  if (workloads.length > 0) {
    out.push('### HTTP on PostgreSQL', '');
    out.push(
      table(
        ['route', 'app req/s', 'baseline req/s', 'app / baseline', 'app p50 / p99 ms', 'baseline p50 / p99 ms', `app p99 at half its max, ≤ ${HALF_RATE_P99_MS} ms (rate)`, 'baseline p99 at that rate', `app / baseline p99 at that rate (≤ ${HALF_RATE_P99_RATIO}×)`, 'CPU ms/req app / baseline', 'app peak RSS MB'],
        workloads.map((w) => {
          const { app, baseline } = report.http[w]!;
          const ratio = app.rps / baseline.rps;
          const target = targetFor(w);
          const point = half(report.atRate[w]);
          return [
            ROUTE[w],
            `${app.rps.toFixed(0)}${errors(app)}`,
            `${baseline.rps.toFixed(0)}${errors(baseline)}`,
            `${percent(ratio)}${target ? ` ${mark(ratio >= target)} (≥ ${target * 100}%)` : ''}`,
            `${ms(app.p50)} / ${ms(app.p99)}`,
            `${ms(baseline.p50)} / ${ms(baseline.p99)}`,
            point ? `${ms(point.app.p99)} ${mark(point.app.p99 <= HALF_RATE_P99_MS)} (${point.rate}/s)${errors(point.app)}` : '–',
            point ? `${ms(point.baseline.p99)}${errors(point.baseline)}` : '–',
            p99Ratio(point),
            `${app.cpuMsPerRequest.toFixed(2)} / ${baseline.cpuMsPerRequest.toFixed(2)}`,
            mb(app.rss.peakMb),
          ];
        }),
      ),
      '',
    );
    if (images.throughput) out.push(`![req/s of the app and the baseline per route, app as a share of the baseline](${images.throughput})`, '');
  }

  const swept = WORKLOADS.filter((w) => report.atRate[w]?.length);
  if (swept.length > 0) {
    const { options } = report;
    out.push(
      '### Latency against offered rate',
      '',
      'Each route at fixed offered rates (autocannon `overallRate`, latency corrected for coordinated omission), as fractions of the app\'s own maximum; ' +
        `the baseline at the same rate right after the app. Half the maximum: ${options.halfRateSec} s each${options.rounds > 1 ? ` (${options.rounds} alternating rounds, medians)` : ''}${options.parts.has('soak') ? ` (the mix: the soak's ${options.soakSec} s for the app)` : ''}` +
        `${options.rateFractions.some((f) => f !== 0.5) ? `; other points: ${options.rateSec} s each` : ''}.`,
      '',
    );
    out.push(
      table(
        ['route', 'share of app max', 'offered req/s', 'app p50 / p90 / p99 ms', 'baseline p50 / p90 / p99 ms', 'p99 app / baseline'],
        swept.flatMap((w) =>
          report.atRate[w]!.map((point) => [
            ROUTE[w],
            `${(point.fraction * 100).toFixed(0)}%`,
            `${point.rate}`,
            `${ms(point.app.p50)} / ${ms(point.app.p90)} / ${ms(point.app.p99)}${errors(point.app)}`,
            `${ms(point.baseline.p50)} / ${ms(point.baseline.p90)} / ${ms(point.baseline.p99)}${errors(point.baseline)}`,
            point.baseline.p99 > 0 ? `${(point.app.p99 / point.baseline.p99).toFixed(1)}×` : '–',
          ]),
        ),
      ),
      '',
    );
    if (images.latency) out.push(`![p50 and p99 of the app and the baseline against offered req/s, per route](${images.latency})`, '');
  }
  return out;
}
