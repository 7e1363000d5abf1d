// The requests and measurements the bench parts are made of.
import { createContractClient, rawRequest } from '@tasks/api-client';
import { emailOf, PASSWORD, type Sql } from './database.js';
import { type LoadOptions, type LoadResult, measure, warmUp, type Workload } from './http-load.js';
import { log, options } from './context.js';
import { headerLines } from './headers.js';
import { medianOf } from './rounds.js';
import type { RunningServer } from './servers.js';

/** Registers bench-0 through the real API and returns its argon2id hash, which every other bench user shares. */
export async function registerFirstUser(app: RunningServer, sql: Sql): Promise<string> {
  await createContractClient({ baseUrl: app.url }).register({ email: emailOf(0), password: PASSWORD });
  const [row] = await sql.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [emailOf(0)]);
  if (!row) throw new Error('registered user not found');
  return row.password_hash;
}

/** Logs in bench-0 through the real API: proves the seeded hash works, and bench-0 uses that real token. */
export async function login(app: RunningServer): Promise<string> {
  return (await createContractClient({ baseUrl: app.url }).login({ email: emailOf(0), password: PASSWORD })).accessToken;
}

/**
 * The app and the baseline must answer the same request with the same JSON and the same headers (but
 * the date and request id), or the comparison means nothing.
 */
export async function checkSameShape(app: RunningServer, baseline: RunningServer, token: string, id: string): Promise<void> {
  for (const route of [`/api/tasks/${id}`, '/api/tasks?limit=20']) {
    const [a, b] = await Promise.all(
      [app, baseline].map(async (server) => {
        const response = await rawRequest(server.url, 'GET', route, { token, timeoutMs: 60_000 });
        return { status: response.status, body: response.text, headers: headerLines(response.headers) };
      }),
    );
    if (a?.status !== 200 || b?.status !== 200 || a.body !== b.body) {
      throw new Error(`app and baseline differ on GET ${route}:\napp ${a?.status} ${a?.body.slice(0, 600)}\nbaseline ${b?.status} ${b?.body.slice(0, 600)}`);
    }
    if (a.headers !== b.headers) throw new Error(`app and baseline send different headers on GET ${route}:\napp\n${a.headers}\nbaseline\n${b.headers}`);
  }
}

export function loadOptions(server: RunningServer, workload: Workload, users: LoadOptions['users'], durationSec: number, rate?: number): LoadOptions {
  return { url: server.url, pid: server.pid, workload, users, connections: options.connections, durationSec, ...(rate ? { rate } : {}) };
}

export async function maxRate(server: RunningServer, workload: Workload, users: LoadOptions['users'], warmUpSec: number, durationSec: number): Promise<LoadResult> {
  await warmUp(loadOptions(server, workload, users, warmUpSec), warmUpSec);
  const result = await measure(loadOptions(server, workload, users, durationSec));
  server.assertRunning();
  logRate(server, workload, result);
  return result;
}

/** One log line of a full-speed result (and the rounds' req/s when it is their median). */
export function logRate(server: RunningServer, workload: Workload, result: LoadResult, rounds: readonly LoadResult[] = []): void {
  const each = rounds.length > 1 ? `  (rounds ${rounds.map((r) => r.rps.toFixed(0)).join(', ')})` : '';
  log(`  ${server.name.padEnd(12)} ${workload.padEnd(6)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  cpu ${result.cpuMsPerRequest.toFixed(2)} ms/req  rss ${result.rss.peakMb.toFixed(0)} MB${result.failures ? `  FAILURES ${result.failures}` : ''}${each}`);
}

/**
 * The app and the baseline in `rounds` alternating runs of `seconds / rounds` each (at `rate` when
 * given), each server's median round: a few seconds of machine noise (another tenant, a stall)
 * then falls into one round of one server instead of deciding a whole comparison.
 */
export async function alternating(
  servers: { app: RunningServer; baseline: RunningServer },
  workload: Workload,
  users: LoadOptions['users'],
  seconds: number,
  rounds: number,
  rate?: number,
): Promise<{ app: LoadResult; baseline: LoadResult; rounds: { app: LoadResult[]; baseline: LoadResult[] } }> {
  const roundSec = seconds / rounds;
  const runs = { app: [] as LoadResult[], baseline: [] as LoadResult[] };
  for (let round = 0; round < rounds; round++) {
    for (const side of ['app', 'baseline'] as const) {
      runs[side].push(await measure(loadOptions(servers[side], workload, users, roundSec, rate)));
      servers[side].assertRunning();
    }
  }
  return { app: medianOf(runs.app), baseline: medianOf(runs.baseline), rounds: runs };
}
