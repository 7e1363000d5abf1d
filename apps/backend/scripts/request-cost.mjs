// What one request costs the app in-process, without sockets: CPU per request and where allocations
// come from (sampled, collected objects included), for reading alongside bench profiles.
// Usage (after `pnpm build`): DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
//   node scripts/request-cost.mjs [get|list|patch] [requests] [--heap-profile=FILE] [--cpu-profile=FILE]
// (patch: a new title each time, so every request writes; the write rate limit is lifted, as in the bench)
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresDatabase } from '@tasks/testkit';
import { createApp } from '../dist/app.factory.js';
import { loadConfig } from '../dist/config/app-config.js';
import { createLogger } from '../dist/common/logger.js';

const [route = 'get', countArg = '20000', ...flags] = process.argv.slice(2);
const count = Number(countArg);
const flag = (name) => flags.find((f) => f.startsWith(`--${name}=`))?.split('=')[1];
// Without DATABASE_URL: the embedded PGlite database, in a temporary DATA_DIR.
const server = process.env.DATABASE_URL;
const throwaway = server ? await createPostgresDatabase(server, 'tasks_request_cost') : { url: undefined, drop: async () => undefined };
const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-request-cost-'));
const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, ...(throwaway.url ? { DATABASE_URL: throwaway.url } : {}), JWT_SECRET: 'request-cost-secret-request-cost-secret-0123', LOG_LEVEL: 'warn', TASKS_WRITE_RATE_LIMIT: '1000000' });
const { app } = await createApp(config, createLogger('warn'));
await app.init();
const fastify = app.getHttpAdapter().getInstance();
try {
  const json = async (options) => {
    const response = await fastify.inject(options);
    if (response.statusCode >= 400) throw new Error(`${options.method} ${options.url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const { accessToken } = await json({ method: 'POST', url: '/api/auth/register', payload: { email: 'cost@example.com', password: 'correct horse battery staple' } });
  const headers = { authorization: `Bearer ${accessToken}` };
  let task;
  for (let i = 0; i < 50; i++) task = await json({ method: 'POST', url: '/api/tasks', headers, payload: { title: `task ${i}` } });
  const url = route === 'list' ? '/api/tasks?limit=20' : `/api/tasks/${task.id}`;
  let edits = 0;
  const request = () =>
    route === 'patch' ? { method: 'PATCH', url, headers, payload: { title: `title ${++edits}` } } : { method: 'GET', url, headers };
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      const response = await fastify.inject(request());
      if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`);
    }
  };
  await run(Math.min(count, 5000));
  const session = new Session();
  session.connect();
  const heapFile = flag('heap-profile');
  const cpuFile = flag('cpu-profile');
  if (heapFile) await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  if (cpuFile) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(count);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (heapFile) writeFileSync(heapFile, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
  if (cpuFile) writeFileSync(cpuFile, JSON.stringify((await session.post('Profiler.stop')).profile));
  session.disconnect();
  console.log(`${route}: ${count} requests, ${((1000 * wall) / count).toFixed(1)} µs wall, ${((used.user + used.system) / count).toFixed(1)} µs CPU per request (node ${process.version})`);
} finally {
  await app.close();
  await throwaway.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
