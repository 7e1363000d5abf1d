// Building blocks of the bench charts: plain SVG strings with escaped text, fixed-precision numbers
// (the same input gives the same bytes) and one stylesheet that follows the reader's colour scheme.

export type Attrs = Record<string, string | number | undefined>;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text content and attribute values for XML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** A coordinate rounded to 0.1 px; a non-finite one is a bug in the chart, never written. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`chart coordinate is not finite: ${value}`);
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** One element; numbers go through `num`, strings are escaped, undefined attributes are left out. */
export function el(name: string, attrs: Attrs, content?: string): string {
  const list = Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`)
    .join('');
  return content === undefined ? `<${name}${list}/>` : `<${name}${list}>${content}</${name}>`;
}

export const text = (attrs: Attrs, content: string): string => el('text', attrs, escapeXml(content));

/** Ticks at 1, 2, 2.5 or 5 × 10^k from 0 up to the first one at or above `max`, about `count` steps. */
export function niceTicks(max: number, count = 5): number[] {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const raw = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const steps = Math.ceil(top / step - 1e-9);
  return Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

export const tickLabel = (value: number): string => String(Number(value.toPrecision(6)));

/** Linear map of [0, domainMax] onto [from, to] (to < from for a y axis). */
export function linear(domainMax: number, from: number, to: number): (value: number) => number {
  return (value) => from + (value / domainMax) * (to - from);
}

// GitHub's Primer colours: blue and orange stay apart for colour-blind readers, and each has a light
// and a dark variant so the chart reads on either theme (an <img> SVG sees the reader's scheme).
const STYLE = `
text { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; font-size: 12px; fill: #1f2328; }
.background { fill: #ffffff; stroke: #d0d7de; }
.title { font-size: 16px; font-weight: 600; }
.muted { fill: #59636e; }
.small { font-size: 11px; }
.strong { font-weight: 600; }
.grid { stroke: #d8dee4; stroke-width: 1; }
.axis { stroke: #59636e; stroke-width: 1; }
.marker { stroke: #59636e; stroke-width: 1; stroke-dasharray: 3 3; }
.bar.app, .point.app { fill: #0969da; }
.bar.baseline, .point.baseline { fill: #bc4c00; }
.line { fill: none; stroke-width: 2; }
.line.app { stroke: #0969da; }
.line.baseline { stroke: #bc4c00; }
.line.p99 { stroke-dasharray: 6 4; }
@media (prefers-color-scheme: dark) {
  text { fill: #f0f6fc; }
  .background { fill: #0d1117; stroke: #3d444d; }
  .muted { fill: #9198a1; }
  .grid { stroke: #262c36; }
  .axis, .marker { stroke: #9198a1; }
  .bar.app, .point.app { fill: #4493f8; }
  .bar.baseline, .point.baseline { fill: #f0883e; }
  .line.app { stroke: #4493f8; }
  .line.baseline { stroke: #f0883e; }
}
`;

/** The whole document: an accessible title, the stylesheet, a background card, then the body. */
export function svgDocument(width: number, height: number, title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" role="img" aria-labelledby="chart-title">`,
    el('title', { id: 'chart-title' }, escapeXml(title)),
    `<style>${STYLE}</style>`,
    el('rect', { class: 'background', x: 0.5, y: 0.5, width: width - 1, height: height - 1, rx: 6 }),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** The chart's heading: title and an optional subtitle (run, machine). */
export function heading(title: string, subtitle: string): string[] {
  return [text({ class: 'title', x: 16, y: 26 }, title), ...(subtitle ? [text({ class: 'muted', x: 16, y: 46 }, subtitle)] : [])];
}

export interface LegendEntry {
  label: string;
  /** The sample drawn before the label, at (x, y) = its centre-left. */
  sample: (x: number, y: number) => string;
}

/** Legend entries in rows of fixed-width cells that fit `width`; returns the markup and its height. */
export function legend(entries: readonly LegendEntry[], x: number, y: number, width: number, cell = 140): { svg: string[]; height: number } {
  const perRow = Math.max(1, Math.floor(width / cell));
  const svg = entries.flatMap((entry, i) => {
    const cx = x + (i % perRow) * cell;
    const cy = y + Math.floor(i / perRow) * 20;
    return [entry.sample(cx, cy), text({ x: cx + 30, y: cy + 4 }, entry.label)];
  });
  return { svg, height: Math.ceil(entries.length / perRow) * 20 };
}
