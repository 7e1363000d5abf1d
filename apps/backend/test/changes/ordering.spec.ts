import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Change, Task } from '@tasks/schemas';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeWrites } from '../../src/changes/change-log.sql.js';
import { executor, type SqlExecutor } from '../../src/database/direct-sql.js';
import { createPostgresDatabase, postgresServer } from '../support/databases.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api } from '../tasks/helpers.js';
import { currentCursor, follow, storedChanges } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks what a reader collected: each change once, in seq order, and per task consecutive versions in order. */
function expectConsistent(collected: Change[], stored: { seq: number; taskId: string; version: number }[]): void {
  const cursors = collected.map((c) => Number(c.cursor.split('.')[0]));
  expect(cursors).toEqual(stored.map((s) => s.seq));
  expect(new Set(cursors).size).toBe(cursors.length);
  const last = new Map<string, number>();
  stored.forEach((s) => {
    const previous = last.get(s.taskId);
    if (previous !== undefined) expect(s.version, `task ${s.taskId}`).toBe(previous + 1);
    last.set(s.taskId, s.version);
  });
}

/** Runs statements on one pg connection, as the app's transactions do. */
const onClient = (client: pg.Client): SqlExecutor => executor((config) => client.query(config));

describe('change feed order under concurrent writes (the suite’s database)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_WRITE_RATE_LIMIT: '1000000', TASKS_MAX_CONCURRENT: '1000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should give a reader following the feed during concurrent writes every committed change once, in per-task version order', async () => {
    const user = await newUser(t);
    const tasks = await Promise.all([0, 1, 2].map(() => newTask(t, user)));
    const since = await currentCursor(t, user);
    let writing = true;
    const collected: Change[] = [];
    const reader = (async () => {
      let cursor = since;
      while (writing) {
        const page = await follow(t, user, cursor, 5);
        collected.push(...page.items);
        cursor = page.cursor;
      }
      collected.push(...(await follow(t, user, cursor)).items);
    })();
    const worker = async (w: number) => {
      for (let i = 0; i < 12; i++) {
        const task = tasks[(w + i) % tasks.length]!;
        if (i % 3 === 2) await api(t, user, 'POST', `/api/tasks/${task.id}/logs`, { body: { message: `w${w} ${i}` } });
        else await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: `w${w} ${i}` } });
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    writing = false;
    await reader;
    const stored = await storedChanges(t, user);
    expect(collected.length).toBe(48);
    expectConsistent(collected, stored.slice(3));
  });
});

describe('change feed order and atomicity on PostgreSQL (several connections)', () => {
  let server: { url: string; release(): Promise<void> };
  let database: { url: string; name: string; drop(): Promise<void> };
  let dataDir: string;
  let t: TestApp;
  let side: pg.Client;

  beforeAll(async () => {
    server = await postgresServer();
    database = await createPostgresDatabase('tasks_changes', server.url);
    dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-changes-'));
    t = await startTestApp({
      database: { databaseUrl: database.url, dataDir, drop: async () => undefined },
      env: { TASKS_WRITE_RATE_LIMIT: '1000000', TASKS_MAX_CONCURRENT: '1000', DATABASE_POOL_SIZE: '6' },
    });
    side = new pg.Client({ connectionString: database.url });
    await side.connect();
  }, 120_000);
  afterAll(async () => {
    await side?.end();
    await t?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await server?.release();
  });

  async function waitForLockWaiters(n: number): Promise<void> {
    for (;;) {
      const { rows } = await side.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
        [database.name],
      );
      if ((rows[0]?.n ?? 0) >= n) return;
      await sleep(20);
    }
  }

  it('should number a write that started first but committed last after the one that overtook it, and the reader sees both', async () => {
    const user = await newUser(t);
    const [a, b] = [await newTask(t, user), await newTask(t, user)];
    const since = await currentCursor(t, user);
    await side.query('BEGIN');
    await side.query('SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE', [a.id]);
    const slow = api<Task>(t, user, 'PATCH', `/api/tasks/${a.id}`, { body: { title: 'started first' } });
    await waitForLockWaiters(1);
    expect((await api(t, user, 'PATCH', `/api/tasks/${b.id}`, { body: { title: 'overtook' } })).status).toBe(200);
    const early = await follow(t, user, since);
    expect(early.items.map((c) => c.task?.title)).toEqual(['overtook']);
    await side.query('COMMIT');
    expect((await slow).status).toBe(200);
    const late = await follow(t, user, early.cursor);
    expect(late.items.map((c) => c.task?.title)).toEqual(['started first']);
  });

  it('should hide a taken seq until its transaction commits and queue the next writer on the user row (the same statement on direct connections)', async () => {
    const user = await newUser(t);
    const task = await newTask(t, user);
    const since = await currentCursor(t, user);
    const second = new pg.Client({ connectionString: database.url });
    await second.connect();
    try {
      const change = (title: string, version: number) => ({
        taskId: task.id, type: 'task:updated' as const, version, changed: ['title'], task: { ...task, title, version },
      });
      await side.query('BEGIN');
      const first = await new ChangeWrites(onClient(side)).record(user.id, change('one', 2));
      await second.query('BEGIN');
      const queued = new ChangeWrites(onClient(second)).record(user.id, change('two', 3));
      await waitForLockWaiters(1);
      expect((await follow(t, user, since)).items).toEqual([]);
      await side.query('COMMIT');
      const next = await queued;
      expect(next.seq).toBe(first.seq + 1);
      expect(next.at.getTime()).toBeGreaterThanOrEqual(first.at.getTime());
      const seen = await follow(t, user, since);
      expect(seen.items.map((c) => c.task?.title)).toEqual(['one']);
      await second.query('COMMIT');
      expect((await follow(t, user, seen.cursor)).items.map((c) => c.task?.title)).toEqual(['two']);
    } finally {
      await second.end();
    }
  });

  it('should keep exactly one change per committed version when the server connections are killed mid-write', async () => {
    const users: TestUser[] = [await newUser(t), await newUser(t)];
    let stop = false;
    const statuses = new Map<number, number>();
    const worker = async (w: number) => {
      const user = users[w % users.length]!;
      const mine: string[] = [];
      for (let i = 0; !stop; i++) {
        const op = mine.length === 0 ? 0 : i % 4;
        const id = mine[i % Math.max(1, mine.length)];
        const res =
          op === 0 ? await api<Task>(t, user, 'POST', '/api/tasks', { body: { title: `w${w}` } })
          : op === 1 ? await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { title: `w${w} ${i}` } })
          : op === 2 ? await api(t, user, 'POST', `/api/tasks/${id}/logs`, { body: { message: `m${i}` } })
          : i % 8 === 3 ? await api(t, user, 'DELETE', `/api/tasks/${id}`)
          : await api(t, user, 'PATCH', `/api/tasks/${id}/complete`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (op === 0 && res.status === 201) mine.push((res.body as Task).id);
        if (op === 3 && res.status === 204) mine.splice(mine.indexOf(id!), 1);
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    let terminated = 0;
    for (let round = 0; round < 6; round++) {
      await sleep(300);
      const { rows } = await side.query<{ n: number }>(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database.name],
      );
      terminated += rows[0]?.n ?? 0;
    }
    await sleep(500);
    stop = true;
    await load;
    expect(terminated).toBeGreaterThan(0);
    expect([...statuses.keys()].every((s) => s < 300 || s === 503 || s === 404)).toBe(true);

    // Every task whose creation committed: versions 1..current, each once; every change has its task.
    const { rows: mismatches } = await side.query(`
      SELECT t.id, t.version, array_agg(c.version ORDER BY c.seq) AS versions
      FROM tasks t LEFT JOIN task_changes c ON c.task_id = t.id AND c.user_id = t.user_id
      WHERE t.user_id = ANY($1::uuid[])
      GROUP BY t.id, t.version
      HAVING array_agg(c.version ORDER BY c.seq) IS DISTINCT FROM ARRAY(SELECT generate_series(1, t.version))`,
      [users.map((u) => u.id)]);
    expect(mismatches).toEqual([]);
    const { rows: orphans } = await side.query(
      'SELECT c.seq FROM task_changes c LEFT JOIN tasks t ON t.id = c.task_id WHERE t.id IS NULL',
    );
    expect(orphans).toEqual([]);
    for (const user of users) {
      const stored = await storedChanges(t, user);
      expect(stored.map((s) => s.seq)).toEqual(stored.map((_, i) => i + 1));
      const { rows } = await side.query<{ seq: string }>('SELECT change_seq::text AS seq FROM users WHERE id = $1', [user.id]);
      expect(Number(rows[0]!.seq)).toBe(stored.length);
      const deleted = await side.query('SELECT id, version FROM tasks WHERE user_id = $1 AND deleted_at IS NOT NULL', [user.id]);
      for (const row of deleted.rows as { id: string; version: number }[]) {
        expect(stored.filter((s) => s.taskId === row.id).at(-1)).toMatchObject({ type: 'task:deleted', version: row.version });
      }
    }
    console.info('[changes] kill mid-write', JSON.stringify({ terminated, statuses: Object.fromEntries(statuses) }));
  }, 120_000);
});
