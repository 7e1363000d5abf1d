// The embedded-PGlite part of `pnpm bench` (no DATABASE_URL): a short version of the HTTP and Socket.IO runs.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadUsers, migrate, seed, type Sql } from './database.js';
import { jwtSettings, log, options, type Stops, workDir } from './context.js';
import { appEnv, startApp } from './launch.js';
import type { BenchReport } from './report.js';
import { measureDelivery } from './socket-load.js';
import { warmUp } from './http-load.js';
import { loadOptions, login, maxRate } from './steps.js';

export async function runPglite(report: BenchReport, stops: Stops): Promise<void> {
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
  // The same mixed warm-up the PostgreSQL servers get, so both modes are compared JIT-warm.
  await warmUp(loadOptions(app, 'mix', users, options.globalWarmUpSec), options.globalWarmUpSec);
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
