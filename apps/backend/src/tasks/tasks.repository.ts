import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type LogEntry, TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStats } from '@tasks/schemas';
import { type CompiledQuery, sql, type Updateable } from 'kysely';
import { type CommitDeadline, DirectSql, type SqlExecutor } from '../database/direct-sql.js';
import { db, prepare, snakeCase } from '../database/query-builder.js';
import type { DB } from '../generated/kysely/db.js';
import { Prisma } from '../generated/prisma/client.js';
import { type ChangeRecord, ChangeWrites, type RecordedChange } from '../changes/change-log.sql.js';
import type { TaskChanges } from './task-lifecycle.js';
import { countLive, listPage, type ListQuery, type PageRow } from './task-list.queries.js';
import { TASK_SELECTION, type TaskRow } from './task-row.js';

export type { TaskRow };

/** First key of the two-key advisory lock that serialises "start a task" per user. */
const RUNNING_CAP_LOCK_SPACE = 4_104_001;

/** One kept log entry as read from task_logs. */
export interface LogRow {
  id: string;
  seq: number;
  at: Date;
  level: LogEntry['level'];
  message: string;
}

/** The same select list for the statements Kysely cannot express, qualified with `table` when given. */
function taskColumns(table = ''): Prisma.Sql {
  const q = table ? `${table}.` : '';
  return Prisma.raw(
    Object.values(Prisma.TaskScalarFieldEnum)
      .map((field) => `${q}${snakeCase(field)} AS "${field}"`)
      .join(', '),
  );
}

const TASK_COLUMNS = taskColumns();
const RETURNING_TASK = Prisma.sql`RETURNING ${TASK_COLUMNS}`;

/** First key of the two-key advisory lock that serialises creates of a user close to their quota. */
const TASK_QUOTA_LOCK_SPACE = 4_104_002;
/** Below `quota - margin` live tasks a create needs no lock: more than this many racing at once is not expected. */
const QUOTA_RACE_MARGIN = 64;

/**
 * INSERT of a new task only while the user has fewer than `below` live tasks (counting stops there).
 * The id is a v4 UUID made here, as Prisma's `@default(uuid())` does.
 */
function insertIfFewerLive(
  userId: string,
  data: { title: string; description: string | null; priority: TaskPriority },
  now: Date,
  below: number,
): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO tasks (id, user_id, title, description, priority, created_at, updated_at)
    SELECT ${randomUUID()}::uuid, ${userId}::uuid, ${data.title}::text, ${data.description}::text,
      ${data.priority}::"TaskPriority", ${now}::timestamptz, ${now}::timestamptz
    WHERE (SELECT count(*) FROM (
      SELECT 1 FROM tasks WHERE user_id = ${userId}::uuid AND deleted_at IS NULL LIMIT ${below}
    ) AS live) < ${below}
    ${RETURNING_TASK}`;
}

type TaskColumn = keyof DB['tasks'];

/**
 * The compare-and-set UPDATE every change goes through: owner, live row and version all checked in
 * the WHERE. One prepared statement per shape (the columns set, with or without a version).
 */
const UPDATES = new Map<string, (userId: string, id: string, version: number, now: Date, ...values: unknown[]) => CompiledQuery<TaskRow>>();

function updateAtVersion(userId: string, id: string, version: number | undefined, set: Partial<Record<TaskColumn, unknown>>, now: Date) {
  const columns = Object.keys(set) as TaskColumn[];
  const key = `${version === undefined ? '' : 'v:'}${columns.join(',')}`;
  let update = UPDATES.get(key);
  if (!update) {
    update = prepare((userId: string, id: string, version: number, now: Date, ...values: unknown[]) => {
      const changes = Object.fromEntries(columns.map((column, i) => [column, values[i]])) as Updateable<DB['tasks']>;
      let query = db
        .updateTable('tasks')
        .set(changes)
        .set((eb) => ({ updated_at: now, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('deleted_at', 'is', null);
      if (key.startsWith('v:')) query = query.where('version', '=', version);
      return query.returning(TASK_SELECTION);
    }, 4 + columns.length);
    UPDATES.set(key, update);
  }
  return update(userId, id, version ?? 0, now, ...columns.map((column) => set[column]));
}

/** The columns a change sets (field names → column names). */
function setColumns(changes: TaskChanges): Partial<Record<TaskColumn, unknown>> {
  const set: Record<string, unknown> = {};
  for (const field of Object.keys(changes) as (keyof TaskChanges)[]) set[snakeCase(field)] = changes[field];
  return set;
}

/** SELECT of the user's live task `id`. */
function ownedTask(userId: string, id: string) {
  return db
    .selectFrom('tasks')
    .select(TASK_SELECTION)
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null);
}

const selectOwned = prepare((userId: string, id: string) => ownedTask(userId, id));
const lockOwned = prepare((userId: string, id: string) => ownedTask(userId, id).forUpdate());
const countRunning = prepare((userId: string) =>
  db
    .selectFrom('tasks')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('status', '=', 'RUNNING'),
);

/**
 * The statements of one write transaction (TasksRepository.write), each scoped to the owner and to
 * live rows. `lockOwned` takes the row lock first, so the service's rules run on a row no other
 * write can change until this one commits: concurrent edits queue instead of failing.
 */
export class TaskWrites {
  private readonly changes: ChangeWrites;

  constructor(private readonly tx: SqlExecutor) {
    this.changes = new ChangeWrites(tx);
  }

  /** Records the change this transaction made in the user's feed; must be its last statement (see ChangeWrites). */
  recordChange(userId: string, change: ChangeRecord): Promise<RecordedChange> {
    return this.changes.record(userId, change);
  }

  /**
   * Inserts only while the user has fewer than `maxLive` live tasks; null when at the quota. Far from
   * the quota one statement decides (racing creates can overshoot its margin by at most their number,
   * never the quota); within `QUOTA_RACE_MARGIN` of it, creates count one after another under a
   * per-user advisory lock held until the transaction ends, so racing ones cannot pass it.
   */
  async insertBelowQuota(
    userId: string,
    data: { title: string; description: string | null; priority: TaskPriority },
    now: Date,
    maxLive: number,
  ): Promise<TaskRow | null> {
    if (maxLive > QUOTA_RACE_MARGIN) {
      const [row] = await this.tx.query<TaskRow>(insertIfFewerLive(userId, data, now, maxLive - QUOTA_RACE_MARGIN));
      if (row) return row;
    }
    await this.tx.query(Prisma.sql`SELECT pg_advisory_xact_lock(${TASK_QUOTA_LOCK_SPACE}::int, hashtext(${userId}))`);
    const [row] = await this.tx.query<TaskRow>(insertIfFewerLive(userId, data, now, maxLive));
    return row ?? null;
  }

  /**
   * Appends an entry and keeps the newest `keep`, at a cost independent of how many entries the task
   * holds: the task row (locked until commit, so concurrent appends get consecutive seqs) gets the
   * next seq, count, last entry and version, with the entry's INSERT in the same statement. The
   * overflow is deleted by the (task_id, seq) index in a second statement: its fresh snapshot sees
   * the entries of appends that committed while this one waited for the row lock, which a CTE of the
   * first statement would not. Null when there is no such live task.
   */
  async appendLog(userId: string, id: string, entry: LogEntry, keep: number, now: Date): Promise<TaskRow | null> {
    const [row] = await this.tx.query<TaskRow>(Prisma.sql`
      WITH t AS (
        UPDATE tasks SET log_seq = log_seq + 1, log_count = LEAST(log_count + 1, ${keep}),
          last_log = ${JSON.stringify(entry)}::jsonb, version = version + 1, updated_at = ${now}
        WHERE id = ${id}::uuid AND user_id = ${userId}::uuid AND deleted_at IS NULL
        ${RETURNING_TASK}
      ), added AS (
        INSERT INTO task_logs (id, task_id, seq, at, level, message)
        SELECT ${entry.id}::uuid, t.id, t."logSeq", ${now}::timestamptz, ${entry.level}::"TaskLogLevel", ${entry.message}::text
        FROM t
      )
      SELECT * FROM t`);
    if (!row) return null;
    await this.tx.query(Prisma.sql`DELETE FROM task_logs WHERE task_id = ${id}::uuid AND seq <= ${row.logSeq - keep}`);
    return row;
  }

  /** The live task, locked (FOR UPDATE) until the transaction ends; null when there is none. */
  async lockOwned(userId: string, id: string): Promise<TaskRow | null> {
    const rows = await this.tx.query(lockOwned(userId, id));
    return rows[0] ?? null;
  }

  /** Applies `changes` to a task locked by `lockOwned`. */
  async update(userId: string, id: string, changes: TaskChanges, now: Date): Promise<TaskRow> {
    const rows = await this.tx.query(updateAtVersion(userId, id, undefined, setColumns(changes), now));
    const row = rows[0];
    if (!row) throw new Error('UPDATE of a locked task returned no row');
    return row;
  }

  /**
   * The user's RUNNING tasks, counted under a per-user advisory lock held until the transaction
   * ends: racing starts count one after another, so the cap holds.
   */
  async countRunningExclusively(userId: string): Promise<number> {
    await this.tx.query(Prisma.sql`SELECT pg_advisory_xact_lock(${RUNNING_CAP_LOCK_SPACE}::int, hashtext(${userId}))`);
    const [row] = await this.tx.query(countRunning(userId));
    return row?.n ?? 0;
  }

  /** Sets deletedAt (at `version` when given); null when there was no live task to delete. */
  async softDelete(userId: string, id: string, version: number | undefined, now: Date): Promise<TaskRow | null> {
    const rows = await this.tx.query(updateAtVersion(userId, id, version, { deleted_at: now }, now));
    return rows[0] ?? null;
  }
}

/**
 * The only code that touches the tasks table. Every statement is scoped to the owner and to live
 * rows (`userId`, `deletedAt: null`), so no caller can reach another user's or a deleted task.
 * Reads run on DirectSql (see there for why); writes in a DirectSql transaction under the request's
 * deadline (`write`), so a request answered 503 never commits.
 */
@Injectable()
export class TasksRepository {
  constructor(private readonly sql: DirectSql) {}

  /** Runs `work` in one transaction that commits only within `deadline` (rolled back when it throws). */
  write<T>(deadline: CommitDeadline, work: (writes: TaskWrites) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(new TaskWrites(tx)), deadline);
  }

  async findOwnedById(userId: string, id: string): Promise<TaskRow | null> {
    const rows = await this.sql.query(selectOwned(userId, id));
    return rows[0] ?? null;
  }

  /**
   * One page of the user's live tasks matching `list`, how many match and the user's change_seq
   * (the feed position the page shows), in one statement, hence one snapshot (task-list.queries.ts).
   */
  async listForUser(userId: string, list: ListQuery): Promise<{ rows: TaskRow[]; total: number; changeSeq: number }> {
    const found = await this.sql.query<PageRow>(listPage(userId, list).compile());
    const total = found[0]?.total ?? 0;
    const changeSeq = Number(found[0]?.changeSeq ?? 0);
    const rows: TaskRow[] = [];
    for (const { total: _total, changeSeq: _seq, id, ...row } of found) if (id !== null) rows.push({ id, ...row });
    return { rows, total, changeSeq };
  }

  /** The user's live tasks counted in total, per status and per priority. */
  async countLive(userId: string): Promise<TaskStats> {
    const [row] = await this.sql.query(countLive(userId));
    const counts = (row ?? {}) as Record<string, number>;
    const total = counts.total ?? 0;
    const pick = <K extends string>(prefix: string, keys: readonly K[]) =>
      Object.fromEntries(keys.map((key) => [key, counts[`${prefix}:${key}`] ?? 0])) as Record<K, number>;
    return { total, byStatus: pick('status', TASK_STATUSES), byPriority: pick('priority', TASK_PRIORITIES) };
  }

  /**
   * Up to `limit` kept entries of a live task, newest first, before seq `before` when given; null
   * when there is no such live task. One statement, so the task check and the page share a snapshot.
   */
  async findLogPage(
    userId: string,
    id: string,
    page: { limit: number; before: number | undefined; keep: number },
  ): Promise<LogRow[] | null> {
    const rows = await this.sql.query<LogRow | { id: null }>(Prisma.sql`
      SELECT l.id, l.seq, l.at, l.level, l.message
      FROM tasks t
      LEFT JOIN LATERAL (
        SELECT id, seq, at, level::text AS level, message FROM task_logs
        WHERE task_id = t.id AND seq > t.log_seq - ${page.keep}
          ${page.before === undefined ? Prisma.empty : Prisma.sql`AND seq < ${page.before}`}
        ORDER BY seq DESC LIMIT ${page.limit}
      ) AS l ON true
      WHERE t.id = ${id}::uuid AND t.user_id = ${userId}::uuid AND t.deleted_at IS NULL`);
    if (rows.length === 0) return null;
    return rows.filter((row): row is LogRow => row.id !== null);
  }
}
