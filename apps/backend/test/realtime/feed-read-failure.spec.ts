import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Task } from '@tasks/schemas';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeWrites } from '../../src/changes/change-log.sql.js';
import { executor, type SqlExecutor } from '../../src/database/direct-sql.js';
import { CHANGES_CHANNEL } from '../../src/realtime/change-notifications.js';
import { createPostgresDatabase, postgresServer } from '../support/databases.js';
import { newTask, newUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api } from '../tasks/helpers.js';
import { asEvent, feedAfter, headCursor } from './feed.js';
import { connected, EventLog } from './socket-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs statements on one pg connection, as the app's transactions do. */
const onClient = (client: pg.Client): SqlExecutor => executor((config) => client.query(config));

// Killing one connection of the app needs a server: the embedded database has a single one, with
// no equivalent failure. Without DATABASE_URL, postgresServer() starts a private server.
describe('live delivery when a pump’s feed read fails (PostgreSQL: its connection is terminated)', () => {
  let server: { url: string; release(): Promise<void> };
  let database: { url: string; name: string; drop(): Promise<void> };
  let dataDir: string;
  let t: TestApp;
  let locker: pg.Client;
  let writer: pg.Client;

  beforeAll(async () => {
    server = await postgresServer();
    database = await createPostgresDatabase('tasks_pump', server.url);
    dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-pump-'));
    t = await startTestApp({ database: { databaseUrl: database.url, dataDir, drop: async () => undefined } });
    locker = new pg.Client({ connectionString: database.url });
    writer = new pg.Client({ connectionString: database.url });
    await Promise.all([locker.connect(), writer.connect()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([locker?.end(), writer?.end()]);
    await t?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await server?.release();
  });

  /** Polls until a backend of the app's database other than `except` waits on a lock; its pid. */
  async function lockWaiter(except: number): Promise<number> {
    for (;;) {
      const { rows } = await writer.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2`,
        [database.name, except],
      );
      if (rows[0]) return rows[0].pid;
      await sleep(20);
    }
  }

  it('should resume after the failed read and deliver every change exactly once, in order', async () => {
    const user = await newUser(t);
    const task = await newTask(t, user);
    const since = await headCursor(t.url, user.token);
    const socket = await connected(t.url, user.token);
    const log = new EventLog(socket);
    const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const writerPid = (await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

    // A change commits, as another instance's would, while an exclusive lock on the change log is
    // queued behind its transaction: the lock is granted at that commit, before the writer announces
    // the change and so wakes the pump, whose read waits for the lock; that read's connection is
    // then terminated.
    const version = task.version + 1;
    await writer.query('BEGIN');
    const { seq } = await new ChangeWrites(onClient(writer)).record(user.id, {
      taskId: task.id, type: 'task:updated', version, changed: ['title'], task: { ...task, title: 'while locked', version },
    });
    await locker.query('BEGIN');
    const locked = locker.query('LOCK TABLE task_changes IN ACCESS EXCLUSIVE MODE');
    expect(await lockWaiter(writerPid)).toBe(lockerPid);
    await writer.query('COMMIT');
    await locked;
    await writer.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, `${user.id}:${seq}`]);
    const read = await lockWaiter(lockerPid);
    await writer.query('SELECT pg_terminate_backend($1)', [read]);
    await locker.query('COMMIT');

    // Nothing else is written: the sweep resumes delivery on its own.
    await log.until(1, 30_000);
    expect(t.logs.some((line) => String(line.msg).startsWith('Live delivery paused'))).toBe(true);
    for (const title of ['after 1', 'after 2', 'after 3']) {
      expect((await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title } })).status).toBe(200);
    }
    await log.until(4);
    const changes = await feedAfter(t.url, user.token, since);
    expect(changes.map((change) => change.task?.title)).toEqual(['while locked', 'after 1', 'after 2', 'after 3']);
    // Every change exactly once, in order.
    expect(log.events).toEqual(changes.map((change) => ({ event: change.type, payload: change.task })));
    expect(log.metas).toEqual(changes.map((change) => asEvent(change).meta));
    socket.disconnect();
  }, 120_000);
});
