// Starting the two servers under test: the app (the built backend) and the bare Fastify + pg baseline.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCommand } from '@tasks/testkit';
import { jwtSettings, options, profileDir, workDir } from './context.js';
import { backendDir, baselineEntry, benchDir } from './paths.js';
import { type RunningServer, startServer } from './servers.js';

/** The app's environment: production mode, one instance, no Redis, limits out of the benchmark's way. */
export function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
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

const appCommand = startCommand(backendDir);

let serverCount = 0;
export async function startApp(name: string, appEnvironment: NodeJS.ProcessEnv): Promise<RunningServer> {
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
    main: appCommand.main,
    nodeArgs,
    cwd: backendDir,
    env: { ...env, ...appCommand.env },
    readyPath: '/api/health/ready',
    readyStatus: 200,
    logFile: path.join(workDir, `server-${serverCount}.log`),
    node: options.node,
  });
}

export async function startBaseline(databaseUrl: string, logLevel: string): Promise<RunningServer> {
  serverCount += 1;
  // Profiled like the app, so the two profiles can be read side by side.
  const nodeArgs = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=baseline-${Date.now()}.cpuprofile`] : [];
  if (options.cpuProf) mkdirSync(profileDir, { recursive: true });
  return startServer({
    name: 'baseline',
    main: baselineEntry,
    nodeArgs,
    cwd: benchDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(options.poolSize),
      JWT_SECRET: jwtSettings.secret,
      JWT_ISSUER: jwtSettings.issuer,
      JWT_AUDIENCE: jwtSettings.audience,
      LOG_LEVEL: logLevel,
    },
    readyPath: '/api/tasks',
    readyStatus: 401,
    logFile: path.join(workDir, `server-${serverCount}.log`),
    node: options.node,
  });
}
