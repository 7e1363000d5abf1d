/**
 * A strict reader of the Prometheus text exposition format (0.0.4): it throws on anything a
 * Prometheus server would refuse or that breaks the format's rules (unknown line shapes, bad names or
 * escapes, samples before their TYPE, a family split or declared twice, duplicate series, histogram
 * buckets out of order or disagreeing with _count).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)/y;
// Prometheus reads values with Go's ParseFloat, which takes Inf and NaN in any letter case.
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]inf|nan)$/i;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`bad label set in: ${line}`);
    const [, name = '', raw = ''] = match;
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (!VALUE.test(text)) throw new Error(`bad value in: ${line}`);
  if (/^nan$/i.test(text)) return Number.NaN;
  return /inf$/i.test(text) ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
}

function familyOf(sample: string, types: Map<string, string>): string | undefined {
  if (types.has(sample)) return sample;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = sample.slice(0, -suffix.length);
    if (sample.endsWith(suffix) && ['histogram', 'summary'].includes(types.get(base) ?? '')) {
      if (suffix === '_bucket' && types.get(base) !== 'histogram') return undefined;
      return base;
    }
  }
  return undefined;
}

export function parsePrometheusText(text: string): Sample[] {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  const samples: Sample[] = [];
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) continue; // a plain comment
      const [, kind, name = '', rest = ''] = meta;
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type: ${line}`);
        if (types.has(name)) throw new Error(`TYPE twice for ${name}`);
        types.set(name, rest);
      } else {
        if (helps.has(name)) throw new Error(`HELP twice for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`bad escape in HELP: ${line}`);
        helps.add(name);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name = '', labelText = '', valueText = ''] = match;
    const family = familyOf(name, types);
    if (family === undefined) throw new Error(`sample before its TYPE: ${line}`);
    if (family !== current) {
      if (finished.has(family)) throw new Error(`family ${family} is split`);
      if (current !== undefined) finished.add(current);
      current = family;
    }
    const labels = parseLabels(labelText, line);
    const key = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(',')}}`;
    if (seen.has(key)) throw new Error(`duplicate series ${key}`);
    seen.add(key);
    samples.push({ name, labels, value: parseValue(valueText, line) });
  }
  checkHistograms(samples, types);
  return samples;
}

function checkHistograms(samples: Sample[], types: Map<string, string>): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const groups = new Map<string, Sample[]>();
    for (const sample of samples.filter((s) => s.name === `${family}_bucket`)) {
      const { le, ...rest } = sample.labels;
      if (le === undefined) throw new Error(`${family}_bucket without le`);
      const key = JSON.stringify(Object.entries(rest).sort());
      groups.set(key, [...(groups.get(key) ?? []), sample]);
    }
    for (const [key, buckets] of groups) {
      const bounds = buckets.map((b) => parseValue(b.labels.le ?? '', family));
      for (let i = 1; i < buckets.length; i++) {
        if (!((bounds[i] ?? 0) > (bounds[i - 1] ?? 0))) throw new Error(`${family}: le not increasing`);
        if ((buckets[i]?.value ?? 0) < (buckets[i - 1]?.value ?? 0)) throw new Error(`${family}: buckets not cumulative`);
      }
      if (bounds.at(-1) !== Infinity) throw new Error(`${family}: no +Inf bucket`);
      const count = samples.find(
        (s) => s.name === `${family}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key,
      );
      if (count?.value !== buckets.at(-1)?.value) throw new Error(`${family}: _count differs from the +Inf bucket`);
    }
  }
}

/** The value of one series (0 when absent), matching every label given. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
