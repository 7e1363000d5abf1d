// The charts `pnpm bench` writes beside docs/benchmarks.md: pure functions from numbers to SVG text,
// fixed size and no randomness or clock, so one input always gives the same file.
import { percent } from './report-format.js';
import { el, heading, legend, linear, niceTicks, num, svgDocument, text, tickLabel } from './svg.js';

export interface ThroughputGroup {
  label: string;
  /** A second, smaller line under the label (the request). */
  detail: string;
  app: number;
  baseline: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

export interface LatencyPoint {
  /** Offered requests per second, the same for both servers. */
  rate: number;
  app: Percentiles;
  baseline: Percentiles;
}

export interface LatencyPanel {
  label: string;
  detail: string;
  /** The app's maximum rate, drawn as a marker: the points are fractions of it. */
  appMax?: number;
  points: readonly LatencyPoint[];
}

type Series = 'app' | 'baseline';
const SERIES: readonly Series[] = ['app', 'baseline'];
const finite = (value: number): boolean => Number.isFinite(value) && value >= 0;

// Legend samples carry the series' classes (so they take its colour) plus `sample`.
const barSample = (series: Series) => (x: number, y: number) => el('rect', { class: `bar ${series} sample`, x, y: y - 6, width: 22, height: 12, rx: 2 });
const lineSample = (series: Series, p: 'p50' | 'p99') => (x: number, y: number) =>
  [el('line', { class: `line ${series} ${p} sample`, x1: x, y1: y, x2: x + 22, y2: y }), marker(series, p, x + 11, y, ' sample')].join('');

function marker(series: Series, p: 'p50' | 'p99', x: number, y: number, extra = ''): string {
  const cls = `point ${series} ${p}${extra}`;
  return series === 'app' ? el('circle', { class: cls, cx: x, cy: y, r: 3.5 }) : el('rect', { class: cls, x: x - 3.5, y: y - 3.5, width: 7, height: 7 });
}

/** Grouped bars: req/s of the app and the baseline per route, the app's share of the baseline on top. */
export function throughputChart(groups: readonly ThroughputGroup[], subtitle = ''): string {
  const width = 760;
  const height = 430;
  const [left, right, top, bottom] = [64, width - 20, 104, height - 56];
  const values = groups.flatMap((g) => [g.app, g.baseline]).filter(finite);
  const ticks = niceTicks(Math.max(0, ...values) * 1.15);
  const y = linear(ticks[ticks.length - 1]!, bottom, top);
  const body = heading('Throughput at full speed: app vs baseline', subtitle);
  body.push(...legend([{ label: 'app', sample: barSample('app') }, { label: 'baseline (the floor)', sample: barSample('baseline') }], 16, 72, width - 32, 160).svg);
  body.push(text({ class: 'muted small', x: left - 8, y: top - 16, 'text-anchor': 'end' }, 'req/s'));
  for (const tick of ticks) {
    body.push(el('line', { class: tick === 0 ? 'axis' : 'grid', x1: left, y1: y(tick), x2: right, y2: y(tick) }));
    body.push(text({ class: 'muted small y-tick', x: left - 8, y: y(tick) + 4, 'text-anchor': 'end' }, tickLabel(tick)));
  }
  const groupWidth = (right - left) / Math.max(1, groups.length);
  const barWidth = Math.min(56, groupWidth * 0.32);
  groups.forEach((group, i) => {
    const centre = left + groupWidth * (i + 0.5);
    const tops: number[] = [];
    SERIES.forEach((series, j) => {
      const value = group[series];
      if (!finite(value)) return;
      const x = j === 0 ? centre - 3 - barWidth : centre + 3;
      tops.push(y(value));
      body.push(el('rect', { class: `bar ${series}`, x, y: y(value), width: barWidth, height: bottom - y(value) }));
      body.push(text({ class: 'small', x: x + barWidth / 2, y: y(value) - 5, 'text-anchor': 'middle' }, value.toFixed(0)));
    });
    const share = finite(group.app) && finite(group.baseline) && group.baseline > 0 ? `${percent(group.app / group.baseline)} of baseline` : 'no ratio';
    body.push(text({ class: 'share strong', x: centre, y: Math.min(bottom, ...tops) - 22, 'text-anchor': 'middle' }, share));
    body.push(text({ class: 'strong', x: centre, y: bottom + 20, 'text-anchor': 'middle' }, group.label));
    body.push(text({ class: 'muted small', x: centre, y: bottom + 36, 'text-anchor': 'middle' }, group.detail));
  });
  return svgDocument(width, height, 'Throughput at full speed: app vs baseline, requests per second per route', body);
}

const PANEL_WIDTH = 450;
const PANEL_HEIGHT = 260;

/** Per route: p50 and p99 of both servers against the offered rate, one panel each, two per row. */
export function latencyChart(panels: readonly LatencyPanel[], subtitle = ''): string {
  const columns = panels.length > 1 ? 2 : 1;
  const width = columns * PANEL_WIDTH + 20;
  const body = heading('Latency against offered rate', subtitle);
  const entries = SERIES.flatMap((series) =>
    (['p50', 'p99'] as const).map((p) => ({ label: `${series} ${p}`, sample: lineSample(series, p) })),
  );
  const key = legend(entries, 16, 72, width - 32, 130);
  body.push(...key.svg);
  const top = 72 + key.height + 8;
  panels.forEach((panel, i) => body.push(latencyPanel(panel, 10 + (i % columns) * PANEL_WIDTH, top + Math.floor(i / columns) * PANEL_HEIGHT)));
  const height = top + Math.ceil(panels.length / columns) * PANEL_HEIGHT + 8;
  return svgDocument(width, height, 'Latency percentiles of the app and the baseline against offered request rate, per route', body);
}

function latencyPanel(panel: LatencyPanel, ox: number, oy: number): string {
  const [left, right, top, bottom] = [ox + 56, ox + PANEL_WIDTH - 18, oy + 34, oy + PANEL_HEIGHT - 52];
  const points = panel.points.filter((point) => finite(point.rate)).toSorted((a, b) => a.rate - b.rate);
  const appMax = panel.appMax !== undefined && finite(panel.appMax) ? panel.appMax : undefined;
  const xTicks = niceTicks(Math.max(appMax ?? 0, ...points.map((point) => point.rate)), 4);
  const ms = points.flatMap((point) => SERIES.flatMap((series) => [point[series].p50, point[series].p99])).filter(finite);
  const yTicks = niceTicks(Math.max(0, ...ms) * 1.1, 4);
  const x = linear(xTicks[xTicks.length - 1]!, left, right);
  const y = linear(yTicks[yTicks.length - 1]!, bottom, top);
  const out = [
    text({ class: 'strong', x: left, y: oy + 18 }, panel.label),
    text({ class: 'muted small', x: right, y: oy + 18, 'text-anchor': 'end' }, panel.detail),
    text({ class: 'muted small', x: left - 8, y: oy + 18, 'text-anchor': 'end' }, 'ms'),
    text({ class: 'muted small', x: (left + right) / 2, y: bottom + 36, 'text-anchor': 'middle' }, 'offered req/s (same for both servers)'),
  ];
  for (const tick of yTicks) {
    out.push(el('line', { class: tick === 0 ? 'axis' : 'grid', x1: left, y1: y(tick), x2: right, y2: y(tick) }));
    out.push(text({ class: 'muted small y-tick', x: left - 8, y: y(tick) + 4, 'text-anchor': 'end' }, tickLabel(tick)));
  }
  for (const tick of xTicks) {
    out.push(el('line', { class: tick === 0 ? 'axis' : 'grid', x1: x(tick), y1: top, x2: x(tick), y2: bottom }));
    out.push(text({ class: 'muted small x-tick', x: x(tick), y: bottom + 16, 'text-anchor': 'middle' }, tickLabel(tick)));
  }
  if (appMax !== undefined) {
    const near = x(appMax) > right - 60;
    out.push(el('line', { class: 'marker', x1: x(appMax), y1: top, x2: x(appMax), y2: bottom }));
    out.push(text({ class: 'muted small', x: x(appMax) + (near ? -4 : 4), y: top + 12, 'text-anchor': near ? 'end' : 'start' }, `app max ${appMax.toFixed(0)}/s`));
  }
  if (points.length === 0) out.push(text({ class: 'muted', x: (left + right) / 2, y: (top + bottom) / 2, 'text-anchor': 'middle' }, 'not measured'));
  for (const series of SERIES) {
    for (const p of ['p50', 'p99'] as const) {
      const drawn = points.filter((point) => finite(point[series][p]));
      if (drawn.length > 1) out.push(el('polyline', { class: `line ${series} ${p}`, points: drawn.map((point) => `${num(x(point.rate))},${num(y(point[series][p]))}`).join(' ') }));
      out.push(...drawn.map((point) => marker(series, p, x(point.rate), y(point[series][p]))));
    }
  }
  return el('g', { class: 'panel', 'data-route': panel.label }, out.join(''));
}
