#!/usr/bin/env node
/**
 * Soak: the built backend under mixed REST load with Socket.IO clients connecting and disconnecting,
 * reporting memory (RSS, heap after GC) and open TCP sockets at start and end.
 *
 *   pnpm soak                      15 minutes (SOAK_SECONDS=900)
 *   SOAK_SECONDS=120 pnpm soak     the CI version
 * Optional: DATABASE_URL (a PostgreSQL server: the soak runs in a throwaway database it creates there
 * and drops afterwards; embedded PGlite otherwise), REDIS_URL, SOAK_WORKERS, SOAK_SOCKETS.
 * Exits 1 when a request got a 5xx or no answer, or the server did not exit 0, or sockets leaked.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { request as requestTo, sleep, spawnServer, throwawayDatabase, waitReady } from './backend-server.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 900);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 4);
const SOCKETS = Number(process.env.SOAK_SOCKETS ?? 20);
const SAMPLE_EVERY_MS = Math.max(5_000, Math.min(60_000, (SECONDS * 1000) / 10));

// Loaded into the server: on SIGUSR2 it collects garbage and prints memory and open TCP handles.
const work = mkdtempSync(path.join(tmpdir(), 'tasks-soak-'));
const probe = path.join(work, 'probe.cjs');
writeFileSync(
  probe,
  `process.on('SIGUSR2', () => {
    if (global.gc) { global.gc(); global.gc(); }
    const m = process.memoryUsage();
    const tcp = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    require('fs').writeSync(2, 'SOAK_PROBE ' + JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, tcp }) + '\\n');
  });\n`,
);

const database = await throwawayDatabase(process.env.DATABASE_URL, 'tasks_soak');
const databaseUrl = database?.url;

let probeWaiter;
const serverLog = [];
const backend = await spawnServer({
  nodeArgs: ['--expose-gc', '--require', probe],
  env: {
    NODE_ENV: 'production',
    JWT_SECRET: `soak-${randomUUID()}-${randomUUID()}`,
    DATA_DIR: path.join(work, 'data'),
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_REGISTER: '100000',
    TASKS_MAX_CONCURRENT: '1000',
    // The soak measures memory under steady load, not the per-user write limit.
    TASKS_WRITE_RATE_LIMIT: '1000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, SOCKET_IO_KEY_PREFIX: `soak-${randomUUID()}`, AUTH_RATE_LIMIT_KEY_PREFIX: `soak-${randomUUID()}` } : {}),
  },
  onLine: (line) => {
    if (line.startsWith('SOAK_PROBE ')) probeWaiter?.(JSON.parse(line.slice(11)));
    else serverLog.push(line);
  },
});
const { child: server, url, exited } = backend;

function sample() {
  return new Promise((resolve) => {
    probeWaiter = (value) => {
      probeWaiter = undefined;
      resolve(value);
    };
    server.kill('SIGUSR2');
  });
}

const request = (method, route, token, body) => requestTo(url, method, route, { token, body });

await waitReady(backend, () => serverLog.slice(-20).join('\n'));

const users = [];
for (let i = 0; i < Math.max(2, WORKERS); i += 1) {
  const response = await request('POST', '/api/auth/register', undefined, { email: `soak-${randomUUID()}@example.com`, password: `pw-${randomUUID()}` });
  users.push({ token: response.json.accessToken, tasks: [] });
}

const stats = { requests: 0, byStatus: {}, failures: 0, socketsOpened: 0, socketsClosed: 0, connectErrors: 0, events: 0 };
const count = (status) => {
  stats.requests += 1;
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  if (status >= 500) stats.failures += 1;
};
const start = await sample();
const startedAt = Date.now();
const deadline = startedAt + SECONDS * 1000;
console.log(`[soak] ${SECONDS}s, ${WORKERS} workers, ${SOCKETS} sockets, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}${process.env.REDIS_URL ? ' + Redis' : ''}`);
console.log(`[soak] start ${JSON.stringify(start)}`);

async function worker(user) {
  while (Date.now() < deadline) {
    try {
      const created = await request('POST', '/api/tasks', user.token, { title: `soak ${randomUUID()}`, priority: 'HIGH' });
      count(created.status);
      if (created.status === 201) {
        const id = created.json.id;
        user.tasks.push(id);
        for (const [method, route, body] of [
          ['PATCH', `/api/tasks/${id}`, { status: 'RUNNING' }],
          ['POST', `/api/tasks/${id}/logs`, { message: 'working', level: 'info' }],
          ['PATCH', `/api/tasks/${id}/complete`, undefined],
          ['GET', `/api/tasks/${id}`, undefined],
          ['GET', '/api/tasks?limit=20&sort=-priority&status=PENDING,COMPLETED', undefined],
        ]) {
          count((await request(method, route, user.token, body)).status);
        }
      }
      // Keep each user's live set bounded so the run measures the service, not table growth.
      while (user.tasks.length > 30) count((await request('DELETE', `/api/tasks/${user.tasks.shift()}`, user.token)).status);
    } catch {
      stats.failures += 1;
    }
  }
}

const sockets = new Set();
function openSocket() {
  const user = users[Math.floor(Math.random() * users.length)];
  const socket = io(`${url}/tasks`, { auth: { token: user.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  socket.on('connect', () => (stats.socketsOpened += 1));
  socket.on('connect_error', () => (stats.connectErrors += 1));
  socket.onAny(() => (stats.events += 1));
  sockets.add(socket);
}
async function churn() {
  while (Date.now() < deadline) {
    while (sockets.size < SOCKETS) openSocket();
    const victim = [...sockets][Math.floor(Math.random() * sockets.size)];
    sockets.delete(victim);
    victim.close();
    stats.socketsClosed += 1;
    await sleep(250);
  }
}
async function reporter() {
  while (Date.now() < deadline) {
    await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, deadline - Date.now())));
    if (Date.now() >= deadline) break;
    const now = await sample();
    console.log(`[soak] t+${Math.round((Date.now() - startedAt) / 1000)}s ${JSON.stringify({ ...now, requests: stats.requests, failures: stats.failures, sockets: sockets.size })}`);
  }
}

await Promise.all([...users.map(worker), churn(), reporter()]);
for (const socket of sockets) socket.close();
stats.socketsClosed += sockets.size;
sockets.clear();
// Idle PostgreSQL pool connections close after pg's 10 s idle timeout; wait past it so that the
// count below holds only what should stay open (and anything leaked).
await sleep(12_000);
const end = await sample();
server.kill('SIGTERM');
const exit = await exited;
rmSync(work, { recursive: true, force: true });
await database?.drop();

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const summary = {
  seconds: SECONDS,
  ...stats,
  memoryMB: { rssStart: mb(start.rss), rssEnd: mb(end.rss), heapStart: mb(start.heapUsed), heapEnd: mb(end.heapUsed) },
  tcpSockets: { start: start.tcp, end: end.tcp },
  serverExit: exit,
};
console.log(`[soak] end ${JSON.stringify(end)}`);
console.log(`[soak] summary ${JSON.stringify(summary)}`);
// Each worker's HTTP client may keep one idle keep-alive connection; anything beyond that is a leak.
const leaked = end.tcp > start.tcp + WORKERS + 2;
if (stats.failures > 0 || exit.code !== 0 || leaked) {
  console.error(`[soak] FAILED: ${stats.failures} failed requests, exit ${exit.code ?? exit.signal}, tcp ${start.tcp} → ${end.tcp}`);
  console.error(serverLog.slice(-20).join('\n'));
  process.exit(1);
}
