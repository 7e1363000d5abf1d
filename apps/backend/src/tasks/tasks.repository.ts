import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { LogEntry, TaskFilter, TaskPriority } from '@tasks/schemas';
import { type CompiledQuery, type Selection, sql, type Updateable } from 'kysely';
import { type CommitDeadline, DirectSql, type SqlExecutor } from '../database/direct-sql.js';
import { db, fieldsOf, prepare, snakeCase } from '../database/query-builder.js';
import type { DB } from '../generated/kysely/db.js';
import { Prisma } from '../generated/prisma/client.js';
import type { TaskChanges } from './task-lifecycle.js';
import { inEnum, ORDER_BY } from './task-list.sql.js';

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

/** A list row: the total, and a task's columns (all null on the one row of an empty page). */
type PageRow = Omit<TaskRow, 'id'> & { id: string | null; total: number };

/** The task's columns, aliased to the model's field names (checked against `DB` by Kysely). */
const TASK_SELECTION = fieldsOf(Prisma.TaskScalarFieldEnum);

/** A task row as every statement returns it. */
export type TaskRow = Selection<DB, 'tasks', (typeof TASK_SELECTION)[number]>;

/** The list page's select list on its alias `p` (listForUser's LATERAL page). */
function taskColumns(table: string): Prisma.Sql {
  return Prisma.raw(
    Object.values(Prisma.TaskScalarFieldEnum)
      .map((field) => `${table}.${snakeCase(field)} AS "${field}"`)
      .join(', '),
  );
}

const PAGE_COLUMNS = taskColumns('p');

/** First key of the two-key advisory lock that serialises creates of a user close to their quota. */
const TASK_QUOTA_LOCK_SPACE = 4_104_002;
/** Below `quota - margin` live tasks a create needs no lock: more than this many racing at once is not expected. */
const QUOTA_RACE_MARGIN = 64;

/** `pg_advisory_xact_lock(space, hashtext(userId))`: a per-user lock held until the transaction ends. */
function advisoryXactLock(space: number) {
  return prepare((userId: string) =>
    db.selectNoFrom((eb) =>
      eb.fn<void>('pg_advisory_xact_lock', [sql.lit(space), eb.fn<number>('hashtext', [eb.val(userId)])]).as('locked'),
    ),
  );
}

const lockQuota = advisoryXactLock(TASK_QUOTA_LOCK_SPACE);
const lockRunningCap = advisoryXactLock(RUNNING_CAP_LOCK_SPACE);

/**
 * INSERT of a new task only while the user has fewer than `below` live tasks (counting stops there).
 * INSERT … SELECT gives its parameters no column types, hence the casts.
 */
const insertIfFewerLive = prepare(
  (id: string, userId: string, title: string, description: string | null, priority: TaskPriority, now: Date, below: number) =>
    db
      .insertInto('tasks')
      .columns(['id', 'user_id', 'title', 'description', 'priority', 'created_at', 'updated_at'])
      .expression(
        db
          .selectNoFrom((eb) => [
            eb.cast<string>(eb.val(id), 'uuid').as('id'),
            eb.cast<string>(eb.val(userId), 'uuid').as('user_id'),
            eb.cast<string>(eb.val(title), 'text').as('title'),
            eb.cast<string | null>(eb.val(description), 'text').as('description'),
            eb.cast<TaskPriority>(eb.val(priority), sql.id('TaskPriority')).as('priority'),
            eb.cast<Date>(eb.val(now), 'timestamptz').as('created_at'),
            eb.cast<Date>(eb.val(now), 'timestamptz').as('updated_at'),
          ])
          .where((w) =>
            w(
              w
                .selectFrom(
                  w
                    .selectFrom('tasks')
                    .select(sql.lit(1).as('one'))
                    .where('user_id', '=', userId)
                    .where('deleted_at', 'is', null)
                    .limit(below)
                    .as('live'),
                )
                .select(w.fn.countAll().as('n')),
              '<',
              below,
            ),
          ),
      )
      .returning(TASK_SELECTION),
);

/**
 * Advances the live task's log counters and inserts the entry with the seq it got, in one statement
 * (the entry's row needs the seq the UPDATE assigns).
 */
const appendLogEntry = prepare(
  (userId: string, id: string, lastLog: string, entryId: string, level: LogEntry['level'], message: string, keep: number, now: Date) =>
    db
      .with('t', (qc) =>
        qc
          .updateTable('tasks')
          .set((eb) => ({
            log_seq: eb('log_seq', '+', 1),
            log_count: eb.fn<number>('least', [eb('log_count', '+', 1), eb.val(keep)]),
            last_log: eb.cast(eb.val(lastLog), 'jsonb'),
            version: eb('version', '+', 1),
            updated_at: now,
          }))
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .where('deleted_at', 'is', null)
          .returning(TASK_SELECTION),
      )
      .with('added', (qc) =>
        qc
          .insertInto('task_logs')
          .columns(['id', 'task_id', 'seq', 'at', 'level', 'message'])
          .expression((eb) =>
            eb
              .selectFrom('t')
              .select([
                eb.cast<string>(eb.val(entryId), 'uuid').as('id'),
                't.id as task_id',
                't.logSeq as seq',
                eb.cast<Date>(eb.val(now), 'timestamptz').as('at'),
                eb.cast<LogEntry['level']>(eb.val(level), sql.id('TaskLogLevel')).as('level'),
                eb.cast<string>(eb.val(message), 'text').as('message'),
              ]),
          ),
      )
      .selectFrom('t')
      .selectAll(),
);

/** Deletes a task's entries at or below `seq` (those past the newest `keep`). */
const trimLog = prepare((id: string, seq: number) => db.deleteFrom('task_logs').where('task_id', '=', id).where('seq', '<=', seq));

/** A live task's kept entries, newest first, before a seq when `withBefore`; one row of nulls when it has none. */
function logPage(withBefore: boolean) {
  return prepare((userId: string, id: string, keep: number, limit: number, before: number) =>
    db
      .selectFrom('tasks as t')
      .leftJoinLateral(
        (eb) => {
          let page = eb
            .selectFrom('task_logs')
            .select((logs) => ['id', 'seq', 'at', logs.cast<LogEntry['level']>('level', 'text').as('level'), 'message'])
            .whereRef('task_id', '=', 't.id')
            .where('seq', '>', eb('t.log_seq', '-', keep));
          if (withBefore) page = page.where('seq', '<', before);
          return page.orderBy('seq', 'desc').limit(limit).as('l');
        },
        (join) => join.onTrue(),
      )
      .select(['l.id', 'l.seq', 'l.at', 'l.level', 'l.message'])
      .where('t.id', '=', id)
      .where('t.user_id', '=', userId)
      .where('t.deleted_at', 'is', null),
  );
}

const LOG_PAGE = { first: logPage(false), before: logPage(true) };

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
  constructor(private readonly tx: SqlExecutor) {}

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
      const [row] = await this.tx.query(insertIfFewerLive(randomUUID(), userId, data.title, data.description, data.priority, now, maxLive - QUOTA_RACE_MARGIN));
      if (row) return row;
    }
    await this.tx.query(lockQuota(userId));
    const [row] = await this.tx.query(insertIfFewerLive(randomUUID(), userId, data.title, data.description, data.priority, now, maxLive));
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
    const [row] = await this.tx.query(
      appendLogEntry(userId, id, JSON.stringify(entry), entry.id, entry.level, entry.message, keep, now),
    );
    if (!row) return null;
    await this.tx.query(trimLog(id, row.logSeq - keep));
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
    await this.tx.query(lockRunningCap(userId));
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
   * One page and the total in ONE statement, hence one snapshot (what a REPEATABLE READ transaction
   * gave, without its BEGIN / SET TRANSACTION / COMMIT round trips). The count is the one-row left
   * side of a LEFT JOIN LATERAL, so an offset past the end still returns the total (with no rows).
   */
  async listForUser(userId: string, filter: TaskFilter): Promise<{ rows: TaskRow[]; total: number }> {
    const where = Prisma.sql`user_id = ${userId}::uuid AND deleted_at IS NULL
      ${filter.status ? Prisma.sql`AND ${inEnum(Prisma.sql`status`, Prisma.sql`"TaskStatus"`, filter.status)}` : Prisma.empty}
      ${filter.priority ? Prisma.sql`AND ${inEnum(Prisma.sql`priority`, Prisma.sql`"TaskPriority"`, filter.priority)}` : Prisma.empty}`;
    // The outer ORDER BY is qualified with `p`: unqualified, `priority` would be the text alias
    // (alphabetical order), not the enum.
    const order = ORDER_BY[filter.sort];
    const found = await this.sql.query<PageRow>(Prisma.sql`
      SELECT c.total, ${PAGE_COLUMNS}
      FROM (SELECT count(*)::int AS total FROM tasks WHERE ${where}) AS c
      LEFT JOIN LATERAL (
        SELECT * FROM tasks WHERE ${where} ORDER BY ${order.inner} LIMIT ${filter.limit} OFFSET ${filter.offset}
      ) AS p ON true
      ORDER BY ${order.outer}`);
    const total = found[0]?.total ?? 0;
    const rows: TaskRow[] = [];
    for (const { total: _total, id, ...row } of found) if (id !== null) rows.push({ id, ...row });
    return { rows, total };
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
    const query = page.before === undefined ? LOG_PAGE.first : LOG_PAGE.before;
    const rows = await this.sql.query(query(userId, id, page.keep, page.limit, page.before ?? 0));
    if (rows.length === 0) return null;
    return rows.filter((row): row is LogRow => row.id !== null);
  }
}
