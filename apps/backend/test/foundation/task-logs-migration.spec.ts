import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../src/database/migrator.js';
import { closeScratchDatabases, createScratchDatabase, type ScratchDatabase } from './support/scratch-database.js';

const TASK_LOGS_MIGRATION = '20261130010000_task_logs';

/** The migration that moves `tasks.logs` (jsonb) into task_logs rows keeps every entry, in order. */
describe('migration 20261130010000_task_logs', () => {
  let db: ScratchDatabase;

  beforeEach(async () => {
    db = await createScratchDatabase();
  });
  afterEach(async () => {
    await db.close();
  });
  afterAll(closeScratchDatabases);

  it('should move each task’s jsonb entries into rows in order, set logCount, logSeq and lastLog, and drop the column', async () => {
    const all = readMigrations();
    await migrate(db.session, all.filter((m) => m.name < TASK_LOGS_MIGRATION));
    const userId = randomUUID();
    await db.session.query(`INSERT INTO users (id, email, password_hash, updated_at) VALUES ($1, $2, 'x', now())`, [
      userId,
      `${userId}@example.com`,
    ]);
    const chatty = randomUUID();
    const quiet = randomUUID();
    const logs = [
      { at: '2026-11-21T10:00:00.000Z', level: 'info', message: 'first' },
      { at: '2026-11-21T10:00:01.000Z', level: 'warn', message: 'second "quoted"' },
      { at: '2026-11-21T10:00:02.500Z', level: 'error', message: 'third \u0001 ünïcode 😀' },
    ];
    await db.session.query(
      `INSERT INTO tasks (id, user_id, title, logs, version, updated_at) VALUES ($1, $2, 'chatty', $3::jsonb, 7, now()), ($4, $2, 'quiet', '[]', 1, now())`,
      [chatty, userId, JSON.stringify(logs), quiet],
    );

    await migrate(db.session, all);

    const rows = await db.session.query<{ seq: number; at: Date; level: string; message: string }>(
      `SELECT seq, at, level::text AS level, message FROM task_logs WHERE task_id = $1 ORDER BY seq`,
      [chatty],
    );
    expect(rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), level: r.level, message: r.message }))).toEqual(
      logs.map((entry, i) => ({ seq: i + 1, ...entry })),
    );
    const tasks = await db.session.query<{ id: string; log_count: number; log_seq: number; last_log: unknown; version: number }>(
      `SELECT id::text, log_count, log_seq, last_log, version FROM tasks ORDER BY title`,
    );
    const newest = (await db.session.query<{ id: string }>(`SELECT id::text FROM task_logs WHERE task_id = $1 AND seq = 3`, [chatty]))[0]!;
    expect(tasks).toEqual([
      { id: chatty, log_count: 3, log_seq: 3, last_log: { id: newest.id, ...logs[2] }, version: 7 },
      { id: quiet, log_count: 0, log_seq: 0, last_log: null, version: 1 },
    ]);
    const column = await db.session.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'logs'`);
    expect(column).toEqual([]);
  });
});
