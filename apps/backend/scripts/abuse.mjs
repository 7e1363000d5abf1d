#!/usr/bin/env node
/**
 * Abuse scenarios against the BUILT backend on 127.0.0.1 (it builds nothing: `pnpm abuse` builds first).
 * Starts `dist/main.js` as the `start` script does, runs every `scripts/abuse/*.mjs` scenario in name order — each
 * `export default { name, env?, async run({ baseUrl, log }) → Record<string, number | string> }` —,
 * samples the server's peak RSS (VmHWM) and prints the figures as a markdown table.
 *
 *   pnpm abuse                          every scenario, embedded PGlite
 *   DATABASE_URL=postgresql://… REDIS_URL=redis://… pnpm abuse
 *   ABUSE_ONLY=login-race,login-flood   some scenarios only
 * Scenarios' `env` entries are merged into the server's environment (they must not contradict each
 * other). PASSWORD_HASH_CONCURRENCY / PASSWORD_HASH_QUEUE are passed through, for A/B runs.
 * The whole run is bounded by ABUSE_MAX_SECONDS (default 300): past it, exit 1.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { peakRssBytes, spawnServer, startCommand, throwawayDatabase, waitReady } from './backend-server.mjs';

const MAX_SECONDS = Number(process.env.ABUSE_MAX_SECONDS ?? 300);
const only = process.env.ABUSE_ONLY?.split(',').map((name) => name.trim()).filter(Boolean);
const scenarioDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'abuse');

const scenarios = [];
for (const file of readdirSync(scenarioDir).filter((name) => name.endsWith('.mjs')).sort()) {
  const scenario = (await import(pathToFileURL(path.join(scenarioDir, file)).href)).default;
  if (!only || only.includes(scenario.name)) scenarios.push(scenario);
}
if (scenarios.length === 0) throw new Error(`no scenario matches ABUSE_ONLY=${process.env.ABUSE_ONLY}`);

const overall = setTimeout(() => {
  console.error(`[abuse] FAILED: still running after ${MAX_SECONDS}s`);
  process.exit(1);
}, MAX_SECONDS * 1000);
overall.unref();

const work = mkdtempSync(path.join(tmpdir(), 'tasks-abuse-'));
const database = await throwawayDatabase(process.env.DATABASE_URL, 'tasks_abuse');
const passThrough = Object.fromEntries(
  ['PASSWORD_HASH_CONCURRENCY', 'PASSWORD_HASH_QUEUE'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
);
const serverLog = [];
// The server runs as `pnpm start` runs it (malloc threshold, heap limit): its peak RSS is the figure.
const start = startCommand();
const server = await spawnServer({
  nodeArgs: start.nodeArgs,
  main: start.main,
  env: {
    ...start.env,
    NODE_ENV: 'production',
    JWT_SECRET: `abuse-${randomUUID()}-${randomUUID()}`,
    DATA_DIR: path.join(work, 'data'),
    LOG_LEVEL: 'warn',
    // Scenarios register their users from 127.0.0.1; the registration limit is not what they measure.
    AUTH_RATE_LIMIT_REGISTER: '100000',
    AUTH_RATE_LIMIT_KEY_PREFIX: `abuse-${randomUUID()}`,
    SOCKET_IO_KEY_PREFIX: `abuse-${randomUUID()}`,
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...Object.assign({}, ...scenarios.map((scenario) => scenario.env ?? {})),
    ...passThrough,
  },
  onLine: (line) => {
    serverLog.push(line);
    if (serverLog.length > 200) serverLog.shift();
  },
});

let peakRss = 0;
const sampleRss = () => {
  try {
    peakRss = Math.max(peakRss, peakRssBytes(server.child.pid) ?? 0);
  } catch {
    /* exited */
  }
};
const sampler = setInterval(sampleRss, 1_000);

const rows = [];
let failed = false;
try {
  await waitReady(server, () => serverLog.slice(-20).join('\n'));
  console.log(`[abuse] ${scenarios.map((s) => s.name).join(', ')} on ${database ? 'PostgreSQL' : 'PGlite'}${process.env.REDIS_URL ? ' + Redis' : ''}, Node ${process.version}, started as ${Object.entries(start.env).map(([k, v]) => `${k}=${v} `).join('')}node ${start.nodeArgs.join(' ')} ${start.main}`);
  for (const scenario of scenarios) {
    const startedAt = Date.now();
    const log = (message) => console.log(`[abuse:${scenario.name}] ${message}`);
    try {
      const figures = await scenario.run({ baseUrl: server.url, log });
      for (const [figure, value] of Object.entries(figures)) rows.push([scenario.name, figure, value]);
    } catch (error) {
      failed = true;
      rows.push([scenario.name, 'error', String(error instanceof Error ? error.message : error)]);
    }
    log(`done in ${Math.round((Date.now() - startedAt) / 1000)}s`);
    sampleRss();
  }
} finally {
  clearInterval(sampler);
  sampleRss();
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  rows.push(['server', 'peak RSS (MB, VmHWM)', Math.round((peakRss / 1024 / 1024) * 10) / 10]);
  rows.push(['server', 'exit', exit.code ?? exit.signal]);
  if (exit.code !== 0) failed = true;
  rmSync(work, { recursive: true, force: true });
  await database?.drop();
}

console.log('\n| scenario | figure | value |\n|---|---|---|');
for (const [scenario, figure, value] of rows) console.log(`| ${scenario} | ${figure} | ${value} |`);
if (failed) {
  console.error(`[abuse] FAILED; last server lines:\n${serverLog.slice(-20).join('\n')}`);
  process.exit(1);
}
