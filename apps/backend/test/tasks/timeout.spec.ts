import type { Task } from '@tasks/schemas';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdEmbeddedDatabase, usingPostgres } from '../support/databases.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

const TIMEOUT_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TASKS_API_TIMEOUT', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_API_TIMEOUT: String(TIMEOUT_MS) } });
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Holds the task's row lock (PostgreSQL) or the whole embedded database (PGlite) for `ms`. */
  async function holdLock(taskId: string, ms: number): Promise<() => Promise<void>> {
    if (usingPostgres) {
      const client = new pg.Client({ connectionString: t.config.databaseUrl });
      await client.connect();
      await client.query('BEGIN');
      await client.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [taskId]);
      return async () => {
        await client.query('ROLLBACK');
        await client.end();
      };
    }
    return holdEmbeddedDatabase(t.prisma, ms);
  }

  it('should answer 503 and leave the task unchanged when the write waits past the budget', async () => {
    const task = await newTask(t, user, { title: 'before' });
    const release = await holdLock(task.id, 3 * TIMEOUT_MS);
    let res;
    try {
      res = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'after' } });
      const problem = expectProblem(res, 503);
      expect(problem.detail).toContain(`${TIMEOUT_MS} ms`);
      expect(res.headers.get('retry-after')).toBe('1');
      if (usingPostgres) {
        // statement_timeout cancels the waiting UPDATE: soon no backend waits on the lock any more.
        const admin = new pg.Client({ connectionString: t.config.databaseUrl });
        await admin.connect();
        let waiting = 1;
        for (let i = 0; i < 50 && waiting > 0; i++) {
          const rows = await admin.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          waiting = Number(rows.rows[0]!.n);
          if (waiting > 0) await sleep(100);
        }
        await admin.end();
        expect(waiting).toBe(0);
      }
    } finally {
      await release();
    }
    // Give a late write every chance to land, then prove none did.
    await sleep(500);
    const row = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row).toMatchObject({ title: 'before', version: 1 });
    expect(t.logs.some((line) => line.status === 503 || /503|took longer/.test(String(line.msg)))).toBe(true);
  });

  it('should answer 503 once, with no second reply logged, when a read waits past the budget', async () => {
    const task = await newTask(t, user);
    let release: () => Promise<void>;
    if (usingPostgres) {
      // An exclusive table lock blocks plain reads too.
      const client = new pg.Client({ connectionString: t.config.databaseUrl });
      await client.connect();
      await client.query('BEGIN');
      await client.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
      release = async () => {
        await client.query('ROLLBACK');
        await client.end();
      };
    } else {
      release = await holdLock(task.id, 3 * TIMEOUT_MS);
    }
    try {
      const res = await api<Task>(t, user, 'GET', `/api/tasks/${task.id}`);
      expect(expectProblem(res, 503).detail).toContain(`${TIMEOUT_MS} ms`);
    } finally {
      await release();
    }
    // The handler finishes after the 503 (PGlite) or fails on the cancelled statement (PostgreSQL):
    // either way nothing is sent twice, and Fastify's "Reply was already sent" warning never appears.
    await sleep(500);
    expect(t.logs.filter((line) => /already sent/i.test(JSON.stringify(line)))).toEqual([]);
    const again = await api<Task>(t, user, 'GET', `/api/tasks/${task.id}`);
    expect(again.status).toBe(200);
  });

  /**
   * Two holds around one request: `early` delays the request's first statement (the token check) to
   * `EARLY_MS`, well inside the budget, so its write starts late; `late` blocks that write until the
   * 503 has been sent. PostgreSQL: a lock on users, then a lock on the task row (or on the table for
   * an INSERT). PGlite, one connection: two transactions of the test's own, queued before and after
   * the request's token check, so the request's write waits behind the second.
   */
  const EARLY_MS = 0.6 * TIMEOUT_MS;
  async function lateWriteHolds(late: { taskId: string } | 'table'): Promise<{ afterSend(): Promise<void>; releaseEarly(): Promise<void>; releaseLate(): Promise<void> }> {
    if (usingPostgres) {
      const early = new pg.Client({ connectionString: t.config.databaseUrl });
      const blocker = new pg.Client({ connectionString: t.config.databaseUrl });
      await Promise.all([early.connect(), blocker.connect()]);
      await early.query('BEGIN');
      await early.query('LOCK users IN ACCESS EXCLUSIVE MODE');
      await blocker.query('BEGIN');
      if (late === 'table') await blocker.query('LOCK tasks IN SHARE MODE');
      else await blocker.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [late.taskId]);
      const end = async (client: pg.Client) => {
        await client.query('ROLLBACK');
        await client.end();
      };
      return { afterSend: async () => undefined, releaseEarly: () => end(early), releaseLate: () => end(blocker) };
    }
    const hold = () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const held = t.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1`;
        await released;
      }, { maxWait: 10 * TIMEOUT_MS, timeout: 10 * TIMEOUT_MS });
      return async () => {
        release();
        await held;
      };
    };
    const releaseEarly = hold();
    let releaseLate: () => Promise<void> = async () => undefined;
    return {
      afterSend: async () => {
        // The request's token check is queued behind `early` by now; `late` queues behind it.
        await sleep(100);
        releaseLate = hold();
      },
      releaseEarly,
      releaseLate: () => releaseLate(),
    };
  }

  const lateWrites = [
    {
      name: 'POST /api/tasks',
      late: () => 'table' as const,
      send: (_id: string, marker: string) => api(t, user, 'POST', '/api/tasks', { body: { title: marker } }),
      applied: async (_id: string, marker: string) => (await t.prisma.task.count({ where: { title: marker } })) > 0,
    },
    {
      name: 'PATCH /api/tasks/:id',
      late: (id: string) => ({ taskId: id }),
      send: (id: string, marker: string) => api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { title: marker } }),
      applied: async (id: string) => (await t.prisma.task.findUniqueOrThrow({ where: { id } })).version > 1,
    },
    {
      name: 'POST /api/tasks/:id/logs',
      late: (id: string) => ({ taskId: id }),
      send: (id: string, marker: string) => api(t, user, 'POST', `/api/tasks/${id}/logs`, { body: { message: marker } }),
      applied: async (id: string) => (await t.prisma.task.findUniqueOrThrow({ where: { id } })).version > 1,
    },
  ];

  it.each(lateWrites)('should commit nothing of $name answered 503 when its write started late and finished after the budget', async (route) => {
    const task = await newTask(t, user, { title: 'before' });
    const marker = `late write ${task.id}`;
    const holds = await lateWriteHolds(route.late(task.id));
    let res: Awaited<ReturnType<typeof route.send>>;
    try {
      const sent = route.send(task.id, marker);
      await holds.afterSend();
      await sleep(EARLY_MS - 100);
      await holds.releaseEarly();
      res = await sent;
    } finally {
      await holds.releaseLate().catch(() => undefined);
    }
    // Whatever the timing, the answer and the database agree; here the write always waits past the
    // budget on PostgreSQL, and on PGlite it cannot start before the second hold ends.
    await sleep(500);
    const applied = await route.applied(task.id, marker);
    if (res.status === 503) expect(applied).toBe(false);
    else expect({ status: res.status, applied }).toEqual({ status: route.name === 'POST /api/tasks' ? 201 : res.status, applied: true });
    if (usingPostgres || route.name !== 'PATCH /api/tasks/:id') expectProblem(res, 503);
  });

  it('should answer normally when requests finish within the budget', async () => {
    const task = await newTask(t, user);
    const res = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'fast' } });
    expect(res.status).toBe(200);
  });
});
