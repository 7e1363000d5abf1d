import { describe, expect, it } from 'vitest';
import { type LatencyPanel, latencyChart, type ThroughputGroup, throughputChart } from './charts.js';
import { coordinates, numberAttr, parseSvg, select, type SvgNode, vertices } from './svg-tree.fixture.js';
import { escapeXml, niceTicks } from './svg.js';

const groups: ThroughputGroup[] = [
  { label: 'list', detail: 'GET /tasks?limit=20', app: 328, baseline: 544 },
  { label: 'get', detail: 'GET /tasks/:id', app: 1126, baseline: 1311 },
  { label: 'create', detail: 'POST /tasks', app: 274, baseline: 362 },
];

const at = (p50: number, p99: number) => ({ p50, p90: (p50 + p99) / 2, p99 });
const panels: LatencyPanel[] = [
  {
    label: 'get',
    detail: 'GET /tasks/:id',
    appMax: 1126,
    // Deliberately out of rate order: the chart must sort by rate.
    points: [
      { rate: 844, app: at(9, 60), baseline: at(6, 20) },
      { rate: 281, app: at(3, 12), baseline: at(2.5, 8) },
      { rate: 563, app: at(5, 36), baseline: at(4, 15) },
    ],
  },
  { label: 'create', detail: 'POST /tasks', appMax: 274, points: [{ rate: 68, app: at(4, 20), baseline: at(3, 12) }, { rate: 137, app: at(8, 52), baseline: at(6, 35) }] },
];

const texts = (root: SvgNode) => select(root, 'text').map((node) => node.text);
const plotted = (root: SvgNode, series: string) => select(root, 'rect', 'bar', series).filter((bar) => !bar.attrs.class?.includes('sample'));
const ascending = (values: readonly number[]) => values.every((value, i) => i === 0 || value > values[i - 1]!);

describe('throughputChart', () => {
  const root = parseSvg(throughputChart(groups, 'Run of 2026-12-01 04:41 UTC'));

  it('draws one app bar and one baseline bar per route, in input order', () => {
    expect(plotted(root, 'app')).toHaveLength(groups.length);
    expect(plotted(root, 'baseline')).toHaveLength(groups.length);
    expect(ascending(plotted(root, 'app').map((bar) => numberAttr(bar, 'x')))).toBe(true);
  });

  it('scales bar heights linearly from one baseline', () => {
    const bars = [...plotted(root, 'app'), ...plotted(root, 'baseline')];
    const values = [...groups.map((g) => g.app), ...groups.map((g) => g.baseline)];
    const bottoms = bars.map((bar) => numberAttr(bar, 'y') + numberAttr(bar, 'height'));
    for (const bottom of bottoms) expect(Math.abs(bottom - bottoms[0]!)).toBeLessThanOrEqual(0.2);
    const perUnit = bars.map((bar, i) => numberAttr(bar, 'height') / values[i]!);
    for (const scale of perUnit) expect(scale).toBeCloseTo(perUnit[0]!, 2);
  });

  it('labels each group with the app as a share of the baseline', () => {
    expect(select(root, 'text', 'share').map((node) => node.text)).toEqual(['60% of baseline', '85% of baseline', '75% of baseline']);
  });

  it('has a y axis whose tick labels rise as they go up, covering the tallest bar', () => {
    const ticks = select(root, 'text', 'y-tick');
    const values = ticks.map((node) => Number(node.text));
    expect(ascending(values)).toBe(true);
    expect(ascending(ticks.map((node) => -numberAttr(node, 'y')))).toBe(true);
    expect(values.at(-1)).toBeGreaterThanOrEqual(1311);
  });

  it('writes only finite coordinates and a fixed size', () => {
    const all = coordinates(root);
    expect(all.length).toBeGreaterThan(20);
    expect(all.every(Number.isFinite)).toBe(true);
    expect(root.attrs.viewBox).toBe(`0 0 ${root.attrs.width} ${root.attrs.height}`);
  });

  it('escapes labels, which read back unchanged', () => {
    const label = '<script>alert("x")</script> & \'co\'';
    const svg = throughputChart([{ label, detail: 'a < b', app: 1, baseline: 2 }], '"quoted" & <tagged>');
    expect(svg).not.toContain('<script>');
    const parsed = parseSvg(svg);
    expect(texts(parsed)).toEqual(expect.arrayContaining([label, 'a < b', '"quoted" & <tagged>']));
  });

  it('leaves out a bar without a finite value instead of writing NaN', () => {
    const svg = throughputChart([{ label: 'get', detail: '', app: Number.NaN, baseline: 100 }]);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const parsed = parseSvg(svg);
    expect(plotted(parsed, 'app')).toHaveLength(0);
    expect(plotted(parsed, 'baseline')).toHaveLength(1);
    expect(select(parsed, 'text', 'share').map((node) => node.text)).toEqual(['no ratio']);
  });

  it('gives the same bytes for the same input, and different ones for other numbers', () => {
    expect(throughputChart(groups, 's')).toBe(throughputChart(groups, 's'));
    expect(throughputChart([{ ...groups[0]!, app: 329 }, ...groups.slice(1)], 's')).not.toBe(throughputChart(groups, 's'));
  });
});

describe('latencyChart', () => {
  const root = parseSvg(latencyChart(panels, 'Run of 2026-12-01 04:41 UTC'));
  const panelNodes = select(root, 'g', 'panel');

  it('draws one panel per route', () => {
    expect(panelNodes.map((node) => node.attrs['data-route'])).toEqual(['get', 'create']);
  });

  it('marks every point of every series, and joins them into a line', () => {
    panelNodes.forEach((panel, i) => {
      for (const series of ['app', 'baseline']) {
        for (const p of ['p50', 'p99']) {
          expect(descendantsWith(panel, series, p)).toHaveLength(panels[i]!.points.length);
          const [line] = select(panel, 'polyline', 'line', series, p);
          expect(vertices(line!)).toHaveLength(panels[i]!.points.length);
        }
      }
    });
  });

  it('places points by rate left to right and by latency bottom to top', () => {
    const [line] = select(panelNodes[0]!, 'polyline', 'line', 'app', 'p99');
    const xs = vertices(line!).map(([x]) => x);
    const ys = vertices(line!).map(([, y]) => y);
    expect(ascending(xs)).toBe(true);
    // p99 of the app rises with the rate (12, 36, 60 ms), so y falls.
    expect(ascending(ys.map((y) => -y))).toBe(true);
    const [p50] = select(panelNodes[0]!, 'polyline', 'line', 'app', 'p50');
    vertices(p50!).forEach(([, y], i) => expect(y).toBeGreaterThan(ys[i]!));
  });

  it('has axes whose tick labels grow in their direction and cover the data', () => {
    const panel = panelNodes[0]!;
    const x = select(panel, 'text', 'x-tick');
    const y = select(panel, 'text', 'y-tick');
    expect(ascending(x.map((node) => Number(node.text)))).toBe(true);
    expect(ascending(x.map((node) => numberAttr(node, 'x')))).toBe(true);
    expect(ascending(y.map((node) => Number(node.text)))).toBe(true);
    expect(ascending(y.map((node) => -numberAttr(node, 'y')))).toBe(true);
    expect(Number(x.at(-1)!.text)).toBeGreaterThanOrEqual(1126);
    expect(Number(y.at(-1)!.text)).toBeGreaterThanOrEqual(60);
    expect(texts(panel)).toContain('app max 1126/s');
  });

  it('writes only finite coordinates, also for a route measured at no rate', () => {
    const svg = latencyChart([...panels, { label: 'mix', detail: '', points: [] }]);
    const parsed = parseSvg(svg);
    expect(coordinates(parsed).every(Number.isFinite)).toBe(true);
    expect(texts(select(parsed, 'g', 'panel')[2]!)).toContain('not measured');
  });

  it('gives the same bytes for the same input', () => {
    expect(latencyChart(panels)).toBe(latencyChart(panels));
  });
});

describe('svg helpers', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });

  it.each([0, Number.NaN, 0.3, 7, 60, 1126, 98_765])('niceTicks(%s) starts at 0, rises and covers the maximum', (max) => {
    const ticks = niceTicks(max);
    expect(ticks[0]).toBe(0);
    expect(ascending(ticks)).toBe(true);
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(Number.isFinite(max) ? max : 0);
    expect(ticks.length).toBeLessThanOrEqual(12);
  });
});

function descendantsWith(panel: SvgNode, series: string, p: string): SvgNode[] {
  return [...select(panel, 'circle', 'point', series, p), ...select(panel, 'rect', 'point', series, p)];
}
