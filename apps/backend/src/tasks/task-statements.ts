import type { LogEntry, TaskPriority } from '@tasks/schemas';
import { type CompiledQuery, sql, type Updateable } from 'kysely';
import { db, prepare, snakeCase } from '../database/query-builder.js';
import type { DB } from '../generated/kysely/db.js';
import type { TaskChanges } from './task-lifecycle.js';
import { TASK_SELECTION, type TaskRow } from './task-row.js';

export type { TaskRow };

// The statements of TasksRepository, typed against `DB`; fixed shapes are compiled once (`prepare`).

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


/** First key of the two-key advisory lock that serialises creates of a user close to their quota. */
const TASK_QUOTA_LOCK_SPACE = 4_104_002;
/** Below `quota - margin` live tasks a create needs no lock: more than this many racing at once is not expected. */
export const QUOTA_RACE_MARGIN = 64;

/** `pg_advisory_xact_lock(space, hashtext(userId))`: a per-user lock held until the transaction ends. */
function advisoryXactLock(space: number) {
  return prepare((userId: string) =>
    db.selectNoFrom((eb) =>
      eb.fn<void>('pg_advisory_xact_lock', [sql.lit(space), eb.fn<number>('hashtext', [eb.val(userId)])]).as('locked'),
    ),
  );
}

export const lockQuota = advisoryXactLock(TASK_QUOTA_LOCK_SPACE);
export const lockRunningCap = advisoryXactLock(RUNNING_CAP_LOCK_SPACE);

/**
 * INSERT of a new task only while the user has fewer than `below` live tasks (counting stops there).
 * INSERT … SELECT gives its parameters no column types, hence the casts.
 */
export const insertIfFewerLive = prepare(
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
export const appendLogEntry = prepare(
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
export const trimLog = prepare((id: string, seq: number) => db.deleteFrom('task_logs').where('task_id', '=', id).where('seq', '<=', seq));

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

export const LOG_PAGE = { first: logPage(false), before: logPage(true) };

type TaskColumn = keyof DB['tasks'];

/**
 * The compare-and-set UPDATE every change goes through: owner, live row and version all checked in
 * the WHERE. One prepared statement per shape (the columns set, with or without a version).
 */
const UPDATES = new Map<string, (userId: string, id: string, version: number, now: Date, ...values: unknown[]) => CompiledQuery<TaskRow>>();

export function updateAtVersion(userId: string, id: string, version: number | undefined, set: Partial<Record<TaskColumn, unknown>>, now: Date) {
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
export function setColumns(changes: TaskChanges): Partial<Record<TaskColumn, unknown>> {
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

export const selectOwned = prepare((userId: string, id: string) => ownedTask(userId, id));
export const lockOwned = prepare((userId: string, id: string) => ownedTask(userId, id).forUpdate());
export const countRunning = prepare((userId: string) =>
  db
    .selectFrom('tasks')
    .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n'))
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('status', '=', 'RUNNING'),
);
