// `--only=resume`: a client that missed 10,000 changes reconnects with its cursor (auth.since) and
// catches up from the change log. Measures the time until the last missed event arrives and the
// app's RSS while it replays. Its own database and app, so it runs alone.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { createDatabase, migrate } from './database.js';
import { log, options, serverUrl, type Stops, workDir } from './context.js';
import { appEnv, startApp } from './launch.js';
import { MemorySampler, readMemory } from './servers.js';

export interface ResumeResult {
  missed: number;
  /** Writing the missed changes (creates over HTTP, 20 at a time). */
  writeSec: number;
  /** From connect() to the last missed event received. */
  catchUpMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  /** Events received out of order, twice or missing (must be 0). */
  errors: number;
}

const WRITERS = 20;

async function json(url: string, init: RequestInit & { token?: string; body?: string }): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(url, { ...init, headers });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

export async function runResume(stops: Stops, missed = options.smoke ? 1_000 : 10_000): Promise<ResumeResult> {
  const db = await createDatabase(serverUrl);
  stops.push(() => db.drop());
  const env = appEnv({ DATABASE_URL: db.url, DATA_DIR: path.join(workDir, 'resume-app'), TASKS_MAX_PER_USER: String(missed * 2) });
  await migrate(env, options.node);
  const app = await startApp('app-resume', env);
  stops.push(() => app.stop());
  const base = app.url;
  const auth = (await json(`${base}/api/auth/register`, {
    method: 'POST',
    body: JSON.stringify({ email: `resume-${Date.now()}@example.com`, password: 'resume-password-1' }),
  })) as { accessToken: string };
  const token = auth.accessToken;
  const { cursor: since } = (await json(`${base}/api/tasks/changes`, { token })) as { cursor: string };

  log(`resume: writing ${missed} changes while no client is connected`);
  const writeStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < missed) {
        const i = next++;
        await json(`${base}/api/tasks`, { method: 'POST', token, body: JSON.stringify({ title: `missed ${i}` }) });
      }
    }),
  );
  const writeSec = (performance.now() - writeStart) / 1000;

  const rssBeforeMb = readMemory(app.pid).rssMb;
  const sampler = new MemorySampler(app.pid, 50);
  sampler.start();
  const socket = io(`${base}/tasks`, { path: '/socket.io', auth: { token, since }, transports: ['websocket'], reconnection: false, forceNew: true });
  let received = 0;
  let errors = 0;
  let lastSeq = 0;
  const started = performance.now();
  const catchUpMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`resume: ${received} of ${missed} events after 10 minutes`)), 600_000);
    socket.on('connect_error', reject);
    socket.on('task:created', (_task: unknown, meta: { cursor: string }) => {
      const seq = Number(meta.cursor.split('.')[0]);
      if (seq !== lastSeq + 1 && lastSeq !== 0) errors++;
      lastSeq = seq;
      received++;
      if (received === missed) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
  socket.disconnect();
  const memory = sampler.stop();
  const result: ResumeResult = {
    missed,
    writeSec,
    catchUpMs,
    rssBeforeMb,
    rssPeakMb: memory.peakMb,
    rssAfterMb: memory.endMb,
    errors,
  };
  log(
    `resume: ${missed} missed changes caught up in ${(catchUpMs / 1000).toFixed(2)} s ` +
      `(${Math.round(missed / (catchUpMs / 1000))} events/s); app RSS ${rssBeforeMb.toFixed(0)} MB before, ` +
      `peak ${memory.peakMb.toFixed(0)} MB (+${(memory.peakMb - rssBeforeMb).toFixed(0)} MB), ${memory.endMb.toFixed(0)} MB after; ` +
      `${errors} out of order`,
  );
  return result;
}
