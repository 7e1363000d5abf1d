import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangesPruner } from '../../src/changes/changes-pruner.js';
import { createPostgresDatabase, postgresServer } from '../support/databases.js';
import { newTask, newUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { storedChanges } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 2 500 old changes of `userId`'s task, past any seq the user will take. */
const OLD_ROWS = `INSERT INTO task_changes (user_id, seq, task_id, type, at, version, changed, task)
  SELECT $1::uuid, g, $2::uuid, 'task:updated', now() - interval '2 days', 1, '{}', NULL FROM generate_series(1000, 3499) g`;

describe('change log retention (the suite’s database)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { CHANGES_RETENTION: '1d', CHANGES_PRUNE_INTERVAL: '1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should delete the changes past CHANGES_RETENTION by itself, in batches, and keep the newer ones', async () => {
    const user = await newUser(t);
    const task = await newTask(t, user);
    await newTask(t, user);
    await t.prisma.$executeRawUnsafe(OLD_ROWS, user.id, task.id);
    await t.prisma.$executeRaw`UPDATE task_changes SET at = now() - interval '2 days' WHERE user_id = ${user.id}::uuid AND seq = 1`;
    for (let tries = 0; (await storedChanges(t, user)).length > 1; tries++) {
      expect(tries, 'the pruner did not run').toBeLessThan(600);
      await sleep(100);
    }
    expect((await storedChanges(t, user)).map((c) => c.seq)).toEqual([2]);
    expect(await t.app.get(ChangesPruner).runOnce()).toEqual({ deleted: 0, skipped: false });
  });
});

describe('change log retention across instances (PostgreSQL)', () => {
  let server: { url: string; release(): Promise<void> };
  let database: { url: string; name: string; drop(): Promise<void> };
  const dirs: string[] = [];
  const apps: TestApp[] = [];
  let side: pg.Client;

  beforeAll(async () => {
    server = await postgresServer();
    database = await createPostgresDatabase('tasks_prune', server.url);
    for (let i = 0; i < 2; i++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-prune-'));
      dirs.push(dataDir);
      // The timer never fires during the test: each run is started by hand.
      apps.push(await startTestApp({ database: { databaseUrl: database.url, dataDir, drop: async () => undefined }, env: { CHANGES_RETENTION: '1d', CHANGES_PRUNE_INTERVAL: '3600' } }));
    }
    side = new pg.Client({ connectionString: database.url });
    await side.connect();
  }, 120_000);
  afterAll(async () => {
    await side?.end();
    for (const app of apps) await app.close();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await server?.release();
  });

  it('should skip while another instance holds the prune lock, and let exactly one of two racing instances delete each row', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const user = await newUser(a);
    const task = await newTask(a, user);
    await side.query(OLD_ROWS, [user.id, task.id]);

    await side.query('BEGIN');
    const { rows } = await side.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(4104003, 0) AS locked');
    expect(rows[0]!.locked).toBe(true);
    expect(await a.app.get(ChangesPruner).runOnce()).toEqual({ deleted: 0, skipped: true });
    await side.query('COMMIT');

    const runs = await Promise.all([a, b].map((app) => app.app.get(ChangesPruner).runOnce()));
    expect(runs[0]!.deleted + runs[1]!.deleted).toBe(2500);
    expect((await storedChanges(a, user)).map((c) => c.seq)).toEqual([1]);
  });
});
