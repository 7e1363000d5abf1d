// `pnpm bench`: the backend and a bare Fastify + pg baseline, side by side on one machine in one run.
// See docs/benchmarks.md for what is measured and why; `--smoke` is the ~1-minute CI variant.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createDatabase, emailOf, type JwtSettings, loadUsers, migrate, PASSWORD, pgSql, seed, type Sql } from './database.js';
import { type LoadOptions, type LoadResult, measure, warmUp, type Workload } from './http-load.js';
import { machineInfo } from './machine.js';
import { parseOptions, USAGE } from './options.js';
import { backendDir, baselineEntry, benchDir } from './paths.js';
import { type BenchReport, printReport, writeDocs } from './report.js';
import { appStartCommand } from './app-command.js';
import { freePort, type RunningServer, startOtlpSink, startServer } from './servers.js';
import { measureDelivery } from './socket-load.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
const options = parseOptions(args);
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

const jwtSettings: JwtSettings = { secret: randomBytes(48).toString('base64url'), issuer: 'tasks-api', audience: 'tasks-api' };
const workDir = mkdtempSync(path.join(tmpdir(), 'tasks-bench-'));
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const profileDir = path.join(benchDir, 'profiles');

/** The app's environment: production mode, one instance, no Redis, limits out of the benchmark's way. */
function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    JWT_SECRET: jwtSettings.secret,
    JWT_ISSUER: jwtSettings.issuer,
    JWT_AUDIENCE: jwtSettings.audience,
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: String(options.poolSize),
    AUTH_RATE_LIMIT_REGISTER: '1000',
    AUTH_RATE_LIMIT_LOGIN: '1000',
    // A hundred users writing at full speed pass 1200 writes a minute each; the bench measures
    // throughput, so the per-user write limit stays out of the way (its counting still runs).
    TASKS_WRITE_RATE_LIMIT: '1000000',
    ...extra,
  };
  delete env.REDIS_URL;
  delete env.INIT_CWD;
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

const appCommand = appStartCommand();

let serverCount = 0;
async function startApp(name: string, appEnvironment: NodeJS.ProcessEnv): Promise<RunningServer> {
  const port = await freePort();
  serverCount += 1;
  let env = appEnvironment;
  const label = `${name}-${Date.now()}`;
  const nodeArgs: string[] = [...appCommand.nodeArgs];
  if (options.cpuProf) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}.cpuprofile`);
  if (options.traceSql) {
    nodeArgs.push('--import', pathToFileURL(path.join(benchDir, 'dist/src/pg-trace.js')).href);
    env = { ...env, BENCH_PG_TRACE_FILE: path.join(profileDir, `sql-${label}.json`) };
  }
  if (options.cpuProf || options.traceSql) mkdirSync(profileDir, { recursive: true });
  return startServer({
    name,
    args: [...nodeArgs, appCommand.entry],
    cwd: backendDir,
    env: { ...env, ...appCommand.env, PORT: String(port) },
    port,
    readyPath: '/api/health/ready',
    readyStatus: 200,
    logFile: path.join(workDir, `server-${serverCount}.log`),
    node: options.node,
  });
}

async function startBaseline(databaseUrl: string, logLevel: string): Promise<RunningServer> {
  const port = await freePort();
  serverCount += 1;
  return startServer({
    name: 'baseline',
    args: [baselineEntry],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(options.poolSize),
      JWT_SECRET: jwtSettings.secret,
      JWT_ISSUER: jwtSettings.issuer,
      JWT_AUDIENCE: jwtSettings.audience,
      LOG_LEVEL: logLevel,
    },
    port,
    readyPath: '/api/tasks',
    readyStatus: 401,
    logFile: path.join(workDir, `server-${serverCount}.log`),
    node: options.node,
  });
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json().catch(() => null) };
}

/** Registers bench-0 through the real API and returns its argon2id hash, which every other bench user shares. */
async function registerFirstUser(app: RunningServer, sql: Sql): Promise<string> {
  const { status, json } = await postJson(`${app.url}/api/auth/register`, { email: emailOf(0), password: PASSWORD });
  if (status !== 201) throw new Error(`POST /api/auth/register answered ${status}: ${JSON.stringify(json)}`);
  const [row] = await sql.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [emailOf(0)]);
  if (!row) throw new Error('registered user not found');
  return row.password_hash;
}

/** Logs in bench-0 through the real API: proves the seeded hash works, and bench-0 uses that real token. */
async function login(app: RunningServer): Promise<string> {
  const { status, json } = await postJson(`${app.url}/api/auth/login`, { email: emailOf(0), password: PASSWORD });
  if (status !== 200) throw new Error(`POST /api/auth/login answered ${status}: ${JSON.stringify(json)}`);
  return (json as { accessToken: string }).accessToken;
}

/** The app and the baseline must answer the same request with the same JSON, or the comparison means nothing. */
async function checkSameShape(app: RunningServer, baseline: RunningServer, token: string, id: string): Promise<void> {
  for (const route of [`/api/tasks/${id}`, '/api/tasks?limit=20']) {
    const [a, b] = await Promise.all(
      [app, baseline].map(async (server) => {
        const response = await fetch(server.url + route, { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, body: (await response.text()) };
      }),
    );
    if (a?.status !== 200 || b?.status !== 200 || a.body !== b.body) {
      throw new Error(`app and baseline differ on GET ${route}:\napp ${a?.status} ${a?.body.slice(0, 600)}\nbaseline ${b?.status} ${b?.body.slice(0, 600)}`);
    }
  }
}

function loadOptions(server: RunningServer, workload: Workload, users: LoadOptions['users'], durationSec: number, rate?: number): LoadOptions {
  return { url: server.url, pid: server.pid, workload, users, connections: options.connections, durationSec, ...(rate ? { rate } : {}) };
}

async function maxRate(server: RunningServer, workload: Workload, users: LoadOptions['users'], warmUpSec: number, durationSec: number): Promise<LoadResult> {
  await warmUp(loadOptions(server, workload, users, warmUpSec), warmUpSec);
  const result = await measure(loadOptions(server, workload, users, durationSec));
  server.assertRunning();
  log(`  ${server.name.padEnd(12)} ${workload.padEnd(6)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  cpu ${result.cpuMsPerRequest.toFixed(2)} ms/req  rss ${result.rss.peakMb.toFixed(0)} MB${result.failures ? `  FAILURES ${result.failures}` : ''}`);
  return result;
}

async function main(): Promise<BenchReport> {
  const report: BenchReport = {
    options,
    machine: await machineInfo(serverUrl, options.node),
    startedAt: new Date(),
    http: {},
    halfRate: {},
    logging: {},
    observability: {},
    pglite: { http: {} },
  };
  log(`${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGb.toFixed(1)} GB, Node ${report.machine.node}, ${report.machine.postgres}`);
  log(`mode ${options.smoke ? 'smoke' : 'full'}; ${options.connections} connections, ${options.warmUpSec}s warm-up + ${options.durationSec}s per run`);

  const stops: (() => Promise<void>)[] = [];
  try {
    // --- PostgreSQL ------------------------------------------------------------------------------
    if ([...options.parts].some((part) => part !== 'pglite')) {
      const db = await createDatabase(serverUrl);
      stops.push(() => db.drop());
      log(`database ${db.name}; migrating`);
      const env = appEnv({ DATABASE_URL: db.url, DATA_DIR: path.join(workDir, 'pg-app') });
      await migrate(env, options.node);
      const pool = new pg.Pool({ connectionString: db.url, max: 2 });
      stops.push(() => pool.end());
      const sql = pgSql(pool);

      const app = await startApp('app', env);
      stops.push(() => app.stop());
      const passwordHash = await registerFirstUser(app, sql);
      report.passwordHash = passwordHash;
      const seedStart = Date.now();
      await seed(sql, { users: options.users, tasksPerUser: options.tasksPerUser, passwordHash });
      report.seedSec = (Date.now() - seedStart) / 1000;
      log(`seeded ${options.users} users × ${options.tasksPerUser} tasks in ${report.seedSec.toFixed(1)}s`);
      const users = await loadUsers(sql, jwtSettings);
      users[0]!.token = await login(app);

      const baseline = await startBaseline(db.url, 'warn');
      stops.push(() => baseline.stop());
      await checkSameShape(app, baseline, users[0]!.token, users[0]!.taskIds[0]!);
      log('app and baseline return identical JSON for GET /api/tasks/:id and GET /api/tasks');

      // LOG_LEVEL=info (Fastify's request log) runs as a second app instance, measured right after the
      // warn instance on the same workloads, so both see the same machine.
      const logged: readonly Workload[] = options.smoke ? ['mix'] : ['get', 'mix'];
      let appInfo: RunningServer | undefined;
      if (options.parts.has('logging')) {
        const info = await startApp('app-info', { ...env, LOG_LEVEL: 'info' });
        appInfo = info;
        stops.push(() => info.stop());
      }
      // One mixed warm-up of each server before anything is measured, so every route is compiled by
      // the JIT: otherwise the first workload measured paid for it (GET at 0.9–1.1 instead of 0.65 ms/req).
      for (const server of [app, baseline, ...(appInfo ? [appInfo] : [])]) {
        await warmUp(loadOptions(server, 'mix', users, options.globalWarmUpSec), options.globalWarmUpSec);
      }
      if (options.parts.has('http')) {
        log('HTTP at full speed (each workload: app, then baseline)');
        for (const workload of options.workloads) {
          const appResult = await maxRate(app, workload, users, options.warmUpSec, options.durationSec);
          const baseResult = await maxRate(baseline, workload, users, options.warmUpSec, options.durationSec);
          report.http[workload] = { app: appResult, baseline: baseResult };
          if (appInfo && logged.includes(workload)) {
            report.logging[workload] = { warn: appResult, info: await maxRate(appInfo, workload, users, options.warmUpSec, options.durationSec) };
          }
        }
      } else if (appInfo) {
        log('LOG_LEVEL=info (one request log line per request) against warn');
        for (const workload of logged) {
          const warn = await maxRate(app, workload, users, options.warmUpSec, options.durationSec);
          report.logging[workload] = { warn, info: await maxRate(appInfo, workload, users, options.warmUpSec, options.durationSec) };
        }
      }
      if (options.parts.has('half')) {
        log("HTTP at half the app's own maximum rate");
        for (const workload of options.workloads.filter((w) => w !== 'mix' || !options.parts.has('soak'))) {
          const max = report.http[workload]?.app.rps ?? (await maxRate(app, workload, users, options.warmUpSec, options.durationSec)).rps;
          const rate = Math.max(1, Math.floor(max / 2));
          const result = await measure(loadOptions(app, workload, users, options.halfRateSec, rate));
          app.assertRunning();
          // The baseline at the same rate: the latency floor this machine gives at that load.
          const base = await measure(loadOptions(baseline, workload, users, options.halfRateSec, rate));
          report.halfRate[workload] = { rate, result, baseline: base };
          log(`  app ${workload.padEnd(6)} at ${rate} req/s: p50 ${result.p50} ms  p99 ${result.p99} ms${result.failures ? `  FAILURES ${result.failures}` : ''}; baseline p50 ${base.p50} ms  p99 ${base.p99} ms`);
        }
      }
      if (options.parts.has('observability')) {
        // Two more instances of the same build on the same database: metrics on, and tracing on
        // (exporting to a local sink), each measured right after the plain instance on every workload.
        const sink = await startOtlpSink();
        stops.push(() => sink.close());
        const metricsOn = await startApp('app-metrics', { ...env, METRICS_PORT: String(await freePort()) });
        stops.push(() => metricsOn.stop());
        const tracingOn = await startApp('app-tracing', { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
        stops.push(() => tracingOn.stop());
        for (const server of [metricsOn, tracingOn]) {
          await warmUp(loadOptions(server, 'mix', users, options.globalWarmUpSec), options.globalWarmUpSec);
        }
        log('observability: both off, metrics on, tracing on (each workload, back to back)');
        for (const workload of options.workloads) {
          const off = await maxRate(app, workload, users, options.warmUpSec, options.durationSec);
          const metrics = await maxRate(metricsOn, workload, users, options.warmUpSec, options.durationSec);
          const tracing = await maxRate(tracingOn, workload, users, options.warmUpSec, options.durationSec);
          report.observability[workload] = { off, metrics, tracing };
        }
        log(`  the OTLP sink received ${sink.spansBatches()} span batches`);
      }
      if (options.parts.has('socket')) {
        // A steady stream, not an overload: at most half the app's measured write capacity.
        const writeMax = Math.min(report.http.create?.app.rps ?? Infinity, report.http.patch?.app.rps ?? Infinity);
        const ratePerSec = Math.max(1, Math.min(options.socket.ratePerSec, Math.floor(writeMax / 2)));
        log(`Socket.IO: ${options.socket.clients} clients, ${ratePerSec} mutations/s for ${options.socket.durationSec}s`);
        report.socket = await measureDelivery({ url: app.url, pid: app.pid, users, ...options.socket, ratePerSec });
        app.assertRunning();
        log(`  delivered ${report.socket.delivered}/${report.socket.expected}, lost ${report.socket.lost}, misdelivered ${report.socket.misdelivered}; p50 ${report.socket.p50.toFixed(1)} ms p99 ${report.socket.p99.toFixed(1)} ms`);
      }
      if (options.parts.has('soak')) {
        const max = report.http.mix?.app.rps ?? (await maxRate(app, 'mix', users, options.warmUpSec, options.durationSec)).rps;
        const rate = Math.max(1, Math.floor(max / 2));
        log(`soak: mix at ${rate} req/s (half the max) for ${options.soakSec}s`);
        const result = await measure(loadOptions(app, 'mix', users, options.soakSec, rate));
        app.assertRunning();
        report.soak = { rate, result };
        const base = await measure(loadOptions(baseline, 'mix', users, options.halfRateSec, rate));
        report.halfRate.mix = { rate, result, baseline: base };
        log(`  baseline mix at ${rate} req/s for ${options.halfRateSec}s: p50 ${base.p50} ms  p99 ${base.p99} ms`);
        log(`  p99 ${result.p99} ms; RSS ${result.rss.startMb.toFixed(0)} → ${result.rss.endMb.toFixed(0)} MB (peak ${result.rss.peakMb.toFixed(0)})`);
      }
      report.appHwmMb = Math.max(...[...Object.values(report.http).map((r) => r.app.rss.hwmMb), report.soak?.result.rss.hwmMb ?? 0, report.socket?.rss.hwmMb ?? 0]);
      for (const stop of stops.splice(0).reverse()) await stop();
    }

    // --- Embedded PGlite -------------------------------------------------------------------------
    if (options.parts.has('pglite')) {
      log('embedded PGlite (no DATABASE_URL): short version');
      const dataDir = path.join(workDir, 'pglite-app');
      const env = appEnv({ DATA_DIR: dataDir });
      await migrate(env, options.node);
      const db = await PGlite.create(path.join(dataDir, 'pgdata'));
      const sql: Sql = { query: async <T>(text: string, params: unknown[] = []) => (await db.query<T>(text, params)).rows };
      report.pglite.version = (await sql.query<{ version: string }>('SELECT version()'))[0]?.version.split(' on ')[0];
      const seedStart = Date.now();
      // The hash of the PostgreSQL run's registered user, or a fresh registration's when that part did not run.
      await seed(sql, { users: options.pglite.users, tasksPerUser: options.pglite.tasksPerUser, passwordHash: report.passwordHash ?? 'unset' });
      report.pglite.seedSec = (Date.now() - seedStart) / 1000;
      const users = await loadUsers(sql, jwtSettings);
      await db.close();
      log(`  seeded ${options.pglite.users} × ${options.pglite.tasksPerUser} in ${report.pglite.seedSec.toFixed(1)}s`);
      const app = await startApp('app-pglite', env);
      stops.push(() => app.stop());
      if (report.passwordHash) users[0]!.token = await login(app);
      for (const workload of options.workloads) {
        report.pglite.http[workload] = await maxRate(app, workload, users, options.pglite.warmUpSec, options.pglite.durationSec);
      }
      report.pglite.socket = await measureDelivery({
        url: app.url,
        pid: app.pid,
        users,
        clients: options.pglite.clients,
        ratePerSec: options.pglite.ratePerSec,
        durationSec: options.pglite.socketSec,
      });
      log(`  Socket.IO ${options.pglite.clients} clients: delivered ${report.pglite.socket.delivered}/${report.pglite.socket.expected}, p99 ${report.pglite.socket.p99.toFixed(1)} ms`);
      for (const stop of stops.splice(0).reverse()) await stop();
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
  }
  report.finishedAt = new Date();
  return report;
}

try {
  const report = await main();
  const failures = printReport(report);
  if (options.write) {
    const file = writeDocs(report);
    log(`wrote ${file}`);
  }
  if (args.includes('--keep-logs')) log(`server logs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  // Errors (non-2xx, lost events) fail the run; missed speed targets are reported, not failed.
  if (failures > 0) {
    console.error(`${failures} run(s) had errors or lost events`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(error);
  console.error(`server logs kept in ${workDir}`);
  process.exitCode = 1;
}
