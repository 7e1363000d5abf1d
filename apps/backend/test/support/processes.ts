/**
 * Real processes for reliability tests: the BUILT backend (`dist/main.js`), a private PostgreSQL
 * server and a private Redis, each on a free port in a temp directory, so a test can stop, start,
 * kill and slow them without touching the shared servers on 5432/6379 that other tests use.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, spawnBackend, waitFor, type BackendProcess } from '@tasks/testkit';
import { ensureBuilt } from '../foundation/support/backend-process.js';
import pg from 'pg';

export { freePort };

const run = promisify(execFile);

export const BACKEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_DIR = path.resolve(BACKEND_DIR, '../..');
export const PROCESS_JWT_SECRET = 'process-test-secret-long-enough-for-hs256-0123456789';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- backend process

/** Builds the backend when dist is older than src (one build, under a lock, for parallel files). */
export { ensureBuilt as buildBackend };
export type { BackendProcess };

export interface BackendOptions {
  databaseUrl: string;
  redisUrl?: string;
  env?: Record<string, string>;
  /** Wait for /api/health/ready to answer 200 (default) or only for /api/health/live. */
  waitFor?: 'ready' | 'live';
  port?: number;
}

/** The built backend in production mode, its data dir a temp dir removed when it exits; resolves once it answers. */
export async function startBackend(options: BackendOptions): Promise<BackendProcess> {
  await ensureBuilt();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-proc-'));
  const backend = await spawnBackend({
    main: 'dist/main.js',
    cwd: BACKEND_DIR,
    nodeArgs: ['--enable-source-maps'],
    env: {
      NODE_ENV: 'production',
      ...(options.port === undefined ? {} : { PORT: String(options.port) }),
      DATABASE_URL: options.databaseUrl,
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      JWT_SECRET: PROCESS_JWT_SECRET,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  void backend.exited.then(() => rmSync(dataDir, { recursive: true, force: true }));
  try {
    await backend.ready(options.waitFor ?? 'ready', 60_000);
  } catch (error) {
    backend.kill();
    throw error;
  }
  return backend;
}

// ---------------------------------------------------------------- private PostgreSQL

function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = path.join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  return name; // on PATH
}

const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: run its tools as the `postgres` OS user then. */
async function asPostgres(bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', postgresBin(bin), ...args]] : [postgresBin(bin), args];
  const { stdout } = await run(cmd, argv, { maxBuffer: 8 * 1024 * 1024 });
  return stdout;
}

export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** initdb into a temp dir and start the server on a free port. */
  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'tasks-pg-'));
    if (isRoot) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      chownSync(dir, uid, gid);
    }
    const port = await freePort();
    const data = path.join(dir, 'data');
    await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    // The shared conf file is the simplest way to pass settings without shell quoting.
    const conf = [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'full_page_writes = off',
      'max_connections = 60',
      'shared_buffers = 16MB',
      '',
    ].join('\n');
    appendFileSync(path.join(data, 'postgresql.conf'), conf);
    const server = new PrivatePostgres(port, dir);
    await server.start();
    return server;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  databaseUrl(name: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
    await waitFor('private postgres', async () => {
      const client = new pg.Client({ connectionString: this.url });
      await client.connect();
      await client.end();
      return true;
    }, 30_000);
  }

  /** `fast` disconnects clients and checkpoints; `immediate` is a crash (WAL replay on start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await asPostgres('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async createDatabase(name = `tasks_fault_${Math.random().toString(16).slice(2, 10)}`): Promise<{ name: string; url: string }> {
    await this.query(`CREATE DATABASE "${name}"`);
    return { name, url: this.databaseUrl(name) };
  }

  /** Kills every server process serving `database` except the caller's own: what a failover does. */
  async terminateBackends(database: string): Promise<number> {
    const rows = await this.query<{ n: string }>(
      'SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return Number(rows[0]?.n ?? 0);
  }

  serverLog(): string {
    try {
      return readFileSync(path.join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async dispose(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export { PrivateRedis } from './private-redis.js';
