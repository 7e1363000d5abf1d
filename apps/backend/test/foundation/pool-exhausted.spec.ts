import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, usePostgresServer } from '../support/databases.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from '../tasks/helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A pool of several connections needs a PostgreSQL server (a private one on the embedded run).
describe('database pool exhausted', () => {
  const server = usePostgresServer();
  let t: TestApp;
  let user: TestUser;
  let databaseUrl: string;

  beforeAll(async () => {
    const database = await createPostgresDatabase('tasks_pool', server());
    databaseUrl = database.url;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-pool-'));
    t = await startTestApp({
      database: {
        databaseUrl: database.url,
        dataDir,
        drop: async () => {
          await database.drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      },
      // One connection, and a budget longer than the pool's 5 s wait for a free connection.
      env: { DATABASE_POOL_SIZE: '1', TASKS_API_TIMEOUT: '30000' },
    });
    user = await newUser(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('should answer 503 unavailable with Retry-After, and log one line without a stack, when no connection frees up in time', async () => {
    const task = await newTask(t, user);
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [task.id]);
    let stuck: Promise<unknown> | undefined;
    try {
      // This edit takes the pool's only connection and waits on the row lock with it.
      stuck = api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'waits' } });
      for (let waiting = 0; waiting === 0; await sleep(50)) {
        const { rows } = await locker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        waiting = rows[0]!.n;
      }
      // DirectSql (the task read) and the Prisma client (the profile) both wait for a connection.
      const [read, me] = await Promise.all([
        api(t, user, 'GET', `/api/tasks/${task.id}`, { headers: { 'x-request-id': 'pool-read' } }),
        api(t, user, 'GET', '/api/auth/me', { headers: { 'x-request-id': 'pool-me' } }),
      ]);
      for (const [res, id] of [[read, 'pool-read'], [me, 'pool-me']] as const) {
        const problem = expectProblem(res, 503);
        expect(problem.type).toBe('/api/problems/unavailable');
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.headers.get('x-request-id')).toBe(id);
        const lines = t.logs.filter((line) => line.reqId === id && Number(line.level) >= 40);
        expect(lines.map((line) => ({ msg: line.msg, status: line.status, reason: line.reason }))).toEqual([
          { msg: 'request failed', status: 503, reason: expect.stringMatching(/timeout exceeded when trying to connect/) as unknown },
        ]);
        expect(JSON.stringify(lines)).not.toMatch(/\n\s+at /);
      }
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(((await stuck) as { status: number }).status).toBe(200);
  }, 60_000);
});
