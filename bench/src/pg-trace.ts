// Preloaded into the app by `pnpm bench --trace-sql` (node --import): counts every statement the app
// sends through `pg` (Prisma's adapter included) with its total time, and writes the tally to
// BENCH_PG_TRACE_FILE on exit. Statements per request = count / requests of the run.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

interface PgClientPrototype {
  query(this: unknown, config: unknown, ...rest: unknown[]): unknown;
}

const output = process.env.BENCH_PG_TRACE_FILE;
const require = createRequire(`${process.cwd()}/package.json`);
const pg = require('pg') as { Client: { prototype: PgClientPrototype } };
const tally = new Map<string, { count: number; ms: number; prepared: number }>();
const original = pg.Client.prototype.query;

pg.Client.prototype.query = function query(this: unknown, config: unknown, ...rest: unknown[]): unknown {
  const text = typeof config === 'string' ? config : ((config as { text?: string } | null)?.text ?? '?');
  const named = typeof config === 'object' && config !== null && Boolean((config as { name?: string }).name);
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 400);
  const start = performance.now();
  const result = original.call(this, config, ...rest);
  const done = () => {
    const entry = tally.get(key) ?? { count: 0, ms: 0, prepared: 0 };
    entry.count += 1;
    entry.ms += performance.now() - start;
    if (named) entry.prepared += 1;
    tally.set(key, entry);
  };
  if (result instanceof Promise) void result.then(done, done);
  else done();
  return result;
};

process.on('exit', () => {
  if (!output) return;
  const rows = [...tally].map(([sql, entry]) => ({ sql, ...entry })).sort((a, b) => b.count - a.count);
  writeFileSync(output, JSON.stringify(rows, null, 2));
});
