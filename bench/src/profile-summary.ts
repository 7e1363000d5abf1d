// `node dist/src/profile-summary.js <file.cpuprofile> [top]`: where a --cpu-prof profile spent its time,
// by function (self time) and by package, to read alongside a flame graph.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [top]');
  process.exit(1);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function packageOf(url: string): string {
  if (!url) return '(native/idle/gc)';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm?.[1]) return pnpm[1];
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (plain?.[1]) return plain[1];
  if (url.startsWith('node:')) return 'node core';
  const app = /apps\/backend\/dist\/(.+)$/.exec(url);
  if (app?.[1]) return `app: ${app[1].split('/').slice(0, -1).join('/') || '.'}`;
  return url.replace(/^file:\/\//, '');
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const pkg = packageOf(url);
  const key = `${functionName || '(anonymous)'}  ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
// Inclusive: the share of busy (non-idle) samples with the package anywhere on the stack.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
let busy = 0;
for (const [id, us] of selfUs) {
  const leaf = byId.get(id);
  if (!leaf || ['(idle)', '(program)', '(garbage collector)'].includes(leaf.callFrame.functionName)) continue;
  busy += us;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at);
    if (node?.callFrame.url) seen.add(packageOf(node.callFrame.url));
  }
  for (const pkg of seen) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + us);
}

const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('self time by package', byPackage);
console.log(`\nbusy (not idle/program/gc): ${((busy / total) * 100).toFixed(1)}% of samples`);
const showInclusive = () => {
  console.log('\ninclusive, % of busy samples with the package on the stack');
  for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
};
showInclusive();
show('self time by function', byFunction);
