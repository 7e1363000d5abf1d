// `--only=scale`: sockets at scale on one app instance on PostgreSQL (10 sockets for each of 1,000
// users in the full run) under a steady write stream. Its own database and app, so the app's RSS is
// that of this load alone, and it runs alone.
import path from 'node:path';
import pg from 'pg';
import { createDatabase, loadUsers, migrate, pgSql, seed } from './database.js';
import { jwtSettings, log, options, serverUrl, type Stops, workDir } from './context.js';
import { appEnv, startApp } from './launch.js';
import { measureScale, type ScaleResult } from './socket-scale.js';
import { registerFirstUser } from './steps.js';

/** The per-user writes limit as deployed: a user here writes a few times a minute, far below it. */
const WRITES_PER_USER_PER_MINUTE = '1200';

export async function runScale(): Promise<ScaleResult> {
  const { scale } = options;
  const stops: Stops = [];
  try {
    const db = await createDatabase(serverUrl);
    stops.push(() => db.drop());
    const env = appEnv({
      DATABASE_URL: db.url,
      DATA_DIR: path.join(workDir, 'scale-app'),
      // Exactly the sockets each user opens: the limit admits them all, and no more.
      SOCKETS_PER_USER: String(scale.socketsPerUser),
      TASKS_WRITE_RATE_LIMIT: WRITES_PER_USER_PER_MINUTE,
    });
    await migrate(env, options.node);
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    stops.push(() => pool.end());
    const sql = pgSql(pool);
    const app = await startApp('app-scale', env);
    stops.push(() => app.stop());
    const passwordHash = await registerFirstUser(app, sql);
    await seed(sql, { users: scale.users, tasksPerUser: scale.tasksPerUser, passwordHash });
    const users = await loadUsers(sql, jwtSettings, scale.tasksPerUser);
    const sockets = users.length * scale.socketsPerUser;
    log(`scale: ${sockets} sockets (${scale.socketsPerUser} for each of ${users.length} users) in ${scale.workers} worker processes, ${scale.ratePerSec} writes/s for ${scale.durationSec}s`);
    const r = await measureScale({ settings: scale, url: app.url, pid: app.pid, users, log });
    app.assertRunning();
    log(
      `  delivered ${r.delivered}/${r.expected}, lost ${r.lost}, misdelivered ${r.misdelivered}, duplicated ${r.duplicated}, unexpected ${r.unexpected}; ` +
        `response → event p50 ${r.responseToEvent.p50.toFixed(1)} ms p99 ${r.responseToEvent.p99.toFixed(1)} ms; app CPU ${r.appCpuPercent.toFixed(0)}%, RSS peak ${r.rss.peakMb.toFixed(0)} MB`,
    );
    return r;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
  }
}
