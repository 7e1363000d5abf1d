// The baseline's SQL: the statements apps/backend runs for the five benchmarked routes
// (auth.repository.ts, task-statements.ts, task-list.queries.ts, change-log.sql.ts), each reading
// the columns the answer needs. Named, so each pool connection parses and plans each one once.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { LogEntry, TaskJson, TaskRow } from './task-json.js';

/** Runs statements on the pool or on one transaction's client. */
export interface Sql {
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

const named = (name: string, text: string) => (values: unknown[]): pg.QueryConfig => ({ name, text, values });

async function rows<R extends pg.QueryResultRow>(sql: Sql, config: pg.QueryConfig): Promise<R[]> {
  return (await sql.query<R>(config)).rows;
}

const TASK = `id, title, description, status, priority, started_at, completed_at, failed_at, error_message,
  log_count, last_log, version, created_at, updated_at`;

// The token's user and whether its jti is revoked (AuthRepository.findTokenSubject): no row when the user is gone.
const tokenSubject = named('token-subject', `SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $1) AS revoked FROM users WHERE id = $2`);

/** Whether the token's user exists and its jti is not revoked. */
export async function tokenValid(sql: Sql, userId: string, jti: string): Promise<boolean> {
  const [row] = await rows<{ revoked: boolean }>(sql, tokenSubject([jti, userId]));
  return row !== undefined && !row.revoked;
}

const selectOwned = named('select-owned', `SELECT ${TASK} FROM tasks WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`);
const lockOwned = named('lock-owned', `SELECT ${TASK} FROM tasks WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL FOR UPDATE`);

export async function findOwned(sql: Sql, userId: string, id: string, lock = false): Promise<TaskRow | undefined> {
  return (await rows<TaskRow>(sql, (lock ? lockOwned : selectOwned)([id, userId])))[0];
}

// listPage of task-list.queries.ts for the default walk (newest first, no filters): the page, the
// total and the feed position in one statement; the count is the one-row left side, so an offset
// past the end still gets the total.
const listPage = named(
  'list-page',
  `SELECT c.total, c.change_seq, p.* FROM
     (SELECT count(*)::int AS total, (SELECT change_seq::text FROM users WHERE id = $1) AS change_seq
      FROM tasks WHERE user_id = $1 AND deleted_at IS NULL) AS c
   LEFT JOIN LATERAL (
     SELECT ${TASK} FROM tasks WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
   ) AS p ON true
   ORDER BY p.created_at DESC, p.id DESC`,
);

/** A listed task with the total and feed position; an empty page is one row whose task columns are null. */
export type PageRow = Omit<TaskRow, 'id'> & { id: string | null; total: number; change_seq: string | null };

export const listTasks = (sql: Sql, userId: string, limit: number, offset: number) => rows<PageRow>(sql, listPage([userId, limit, offset]));

// TaskWrites.insertBelowQuota: the INSERT only while the user has fewer than $6 live tasks.
const insertIfFewerLive = named(
  'insert-if-fewer-live',
  `INSERT INTO tasks (id, user_id, title, description, priority, created_at, updated_at)
   SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::"TaskPriority", now(), now()
   WHERE (SELECT count(*) FROM (SELECT 1 FROM tasks WHERE user_id = $2::uuid AND deleted_at IS NULL LIMIT $6) AS live) < $6
   RETURNING ${TASK}`,
);
const lockQuota = named('lock-quota', 'SELECT pg_advisory_xact_lock(4104002, hashtext($1)) AS locked');
/** QUOTA_RACE_MARGIN of task-statements.ts: below quota − margin live tasks, a create takes no lock. */
const QUOTA_RACE_MARGIN = 64;

export interface NewTask {
  title: string;
  description: string | null;
  priority: string;
}

/** The new task, or undefined at the quota; racing creates near it count one after another, as the app's. */
export async function insertBelowQuota(sql: Sql, userId: string, task: NewTask, maxLive: number): Promise<TaskRow | undefined> {
  const insert = (below: number) => rows<TaskRow>(sql, insertIfFewerLive([randomUUID(), userId, task.title, task.description, task.priority, below]));
  if (maxLive > QUOTA_RACE_MARGIN) {
    const [row] = await insert(maxLive - QUOTA_RACE_MARGIN);
    if (row) return row;
  }
  await sql.query(lockQuota([userId]));
  return (await insert(maxLive))[0];
}

// The compare-and-set UPDATE of a locked task (updateAtVersion without a version); NULL keeps a column.
const updateOwned = named(
  'update-owned',
  `UPDATE tasks SET title = COALESCE($1, title), priority = COALESCE($2::"TaskPriority", priority),
     version = version + 1, updated_at = now()
   WHERE id = $3 AND user_id = $4 AND deleted_at IS NULL
   RETURNING ${TASK}`,
);

export async function updateOwnedTask(sql: Sql, userId: string, id: string, set: { title: string | null; priority: string | null }): Promise<TaskRow> {
  const [row] = await rows<TaskRow>(sql, updateOwned([set.title, set.priority, id, userId]));
  if (!row) throw new Error('UPDATE of a locked task returned no row');
  return row;
}

// The log append's lock (TaskWrites.lockOwned), reading only what the change records as replaced.
const lockLogStateOf = named(
  'lock-log-state',
  `SELECT log_count, last_log, updated_at FROM tasks WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL FOR UPDATE`,
);

/** The values a log append replaces, as the change row records them (LOG_APPEND_FIELDS and updatedAt). */
export interface LogState {
  log_count: number;
  last_log: LogEntry | null;
  updated_at: Date;
}

export async function lockLogState(sql: Sql, userId: string, id: string): Promise<LogState | undefined> {
  return (await rows<LogState>(sql, lockLogStateOf([id, userId])))[0];
}

// appendLogEntry of task-statements.ts: the task's next seq, count (capped at the kept number), last
// entry and version, and the entry's INSERT with that seq, in one statement; `at` is the app's clock.
const appendLog = named(
  'append-log',
  `WITH t AS (
     UPDATE tasks SET log_seq = log_seq + 1, log_count = least(log_count + 1, $3), last_log = $4::jsonb,
       version = version + 1, updated_at = $5
     WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL
     RETURNING ${TASK}, log_seq
   ), added AS (
     INSERT INTO task_logs (id, task_id, seq, at, level, message)
     SELECT $6::uuid, t.id, t.log_seq, $5::timestamptz, $7::"TaskLogLevel", $8::text FROM t
   )
   SELECT * FROM t`,
);
// trimLog: the entries past the newest `keep`, by the (task_id, seq) index.
const trimLog = named('trim-log', 'DELETE FROM task_logs WHERE task_id = $1 AND seq <= $2');

/**
 * TaskWrites.appendLog on a task locked by lockLogState: the append, then, as the app, the trim in
 * a second statement once more than `keep` entries were ever appended. Undefined when there is no such live task.
 */
export async function appendLogEntry(sql: Sql, userId: string, id: string, entry: LogEntry, entryJson: string, keep: number, now: Date): Promise<TaskRow | undefined> {
  const [row] = await rows<TaskRow & { log_seq: number }>(sql, appendLog([id, userId, keep, entryJson, now, entry.id, entry.level, entry.message]));
  if (!row) return undefined;
  if (row.log_seq > keep) await sql.query(trimLog([id, row.log_seq - keep]));
  return row;
}

// change-log.sql.ts: the user's row lock and next seq, and the change row, in one statement.
const insertChange = named(
  'insert-change',
  `WITH u AS (UPDATE users SET change_seq = change_seq + 1 WHERE id = $1 RETURNING id, change_seq)
   INSERT INTO task_changes (user_id, seq, task_id, type, at, version, changed, task, previous)
   SELECT u.id, u.change_seq, $2::uuid, $3::"TaskChangeType", clock_timestamp(), $4::int, $5::text[], $6::jsonb, $7::jsonb FROM u
   RETURNING seq::text AS seq, at`,
);

/** Records the change as the write's last statement; `previous` = the replaced values of an update. */
export async function recordChange(
  sql: Sql,
  userId: string,
  change: { type: string; task: TaskJson; changed: string[]; previous: Record<string, unknown> | null },
): Promise<void> {
  const { type, task, changed, previous } = change;
  const values = [userId, task.id, type, task.version, changed, JSON.stringify(task), previous && JSON.stringify(previous)];
  const [row] = await rows(sql, insertChange(values));
  if (!row) throw new Error('The change of a write has no user row to number it');
}

/**
 * A write as the app makes it (DirectSql.transaction under the request budget): BEGIN with the
 * statement timeout in one round trip, the statements, COMMIT; ROLLBACK when one throws.
 */
export async function inTransaction<T>(pool: pg.Pool, timeoutMs: number, work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${timeoutMs}`);
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A connection in an unknown state is not handed to the next request.
    await client.query('ROLLBACK').then(
      () => client.release(),
      (rollback: Error) => client.release(rollback),
    );
    throw error;
  }
}
