// The PostgreSQL part of `pnpm bench`: a throwaway database, the app and the baseline on it, then
// each measured phase the options ask for.
import path from 'node:path';
import pg from 'pg';
import { createDatabase, loadUsers, migrate, pgSql, seed } from './database.js';
import { warmUp, type Workload } from './http-load.js';
import { jwtSettings, log, options, serverUrl, type Stops, workDir } from './context.js';
import { appEnv, startApp, startBaseline } from './launch.js';
import { measureHttp, measureOfferedRates, measureObservability, measureSocket, measureSoak, type PostgresServers } from './postgres-phases.js';
import type { BenchReport } from './report.js';
import { checkSameLogAppend } from './same-log-append.js';
import type { RunningServer } from './servers.js';
import { checkSameShape, loadOptions, login, registerFirstUser } from './steps.js';

export async function runPostgres(report: BenchReport, stops: Stops): Promise<void> {
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
  log('app and baseline return identical JSON and headers (but the date and request id) for GET /api/tasks/:id and GET /api/tasks');
  await checkSameLogAppend(app, baseline, sql, users[0]!.token, users[0]!.taskIds[0]!);
  log('app and baseline answer and record POST /api/tasks/:id/logs alike (same headers but RateLimit, same keys and values but the entry id and time)');

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
  // the JIT: otherwise the first workload measured pays for the compilation (docs/benchmarks.md).
  for (const server of [app, baseline, ...(appInfo ? [appInfo] : [])]) {
    await warmUp(loadOptions(server, 'mix', users, options.globalWarmUpSec), options.globalWarmUpSec);
  }
  const servers: PostgresServers = { app, baseline, appInfo, env, users, logged };
  await measureHttp(report, servers);
  if (options.parts.has('half')) await measureOfferedRates(report, servers);
  if (options.parts.has('observability')) await measureObservability(report, servers, stops);
  if (options.parts.has('socket')) await measureSocket(report, servers);
  if (options.parts.has('soak')) await measureSoak(report, servers);
  report.appHwmMb = Math.max(...[...Object.values(report.http).map((r) => r.app.rss.hwmMb), report.soak?.result.rss.hwmMb ?? 0, report.socket?.rss.hwmMb ?? 0]);
  for (const stop of stops.splice(0).reverse()) await stop();
}
