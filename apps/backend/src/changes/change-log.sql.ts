import type { Task } from '@tasks/schemas';
import { sql } from 'kysely';
import type { SqlExecutor } from '../database/direct-sql.js';
import { db, prepare } from '../database/query-builder.js';
import type { TaskChangeType } from '../generated/kysely/enums.js';

/** What a write records about the task it changed (the row's seq and time are the database's). */
export interface ChangeRecord {
  taskId: string;
  type: TaskChangeType;
  version: number;
  /** The fields a `task:updated` changed; empty otherwise. */
  changed: readonly string[];
  /** The task as the API serialises it after the change; null when deleted. */
  task: Task | null;
  /** For task:updated: the values the write replaced (its `changed` fields and updatedAt); null otherwise. */
  previous?: Record<string, unknown> | null;
}

/** Where a recorded change landed in its user's feed. */
export interface RecordedChange {
  seq: number;
  at: Date;
}

/**
 * Takes the user's row lock and next seq and inserts the change, in ONE statement. `at` is read
 * under that lock too, so within a user it never decreases with seq (retention prunes a prefix).
 */
const insertChange = prepare(
  (userId: string, taskId: string, type: TaskChangeType, version: number, changed: string[], task: string | null, previous: string | null) =>
    db
      .with('u', (qb) =>
        qb
          .updateTable('users')
          .set((eb) => ({ change_seq: eb('change_seq', '+', sql<string>`1`) }))
          .where('id', '=', userId)
          .returning(['id', 'change_seq']),
      )
      .insertInto('task_changes')
      .columns(['user_id', 'seq', 'task_id', 'type', 'at', 'version', 'changed', 'task', 'previous'])
      .expression((eb) =>
        eb
          .selectFrom('u')
          .select([
            'u.id',
            'u.change_seq',
            sql<string>`${taskId}::uuid`.as('task_id'),
            sql<TaskChangeType>`${type}::"TaskChangeType"`.as('type'),
            sql<Date>`clock_timestamp()`.as('at'),
            sql<number>`${version}::int`.as('version'),
            sql<string[]>`${changed}::text[]`.as('changed'),
            sql<unknown>`${task}::jsonb`.as('task'),
            sql<unknown>`${previous}::jsonb`.as('previous'),
          ]),
      )
      .returning([sql<string>`seq::text`.as('seq'), 'at']),
);

/**
 * The change-log statement of one write transaction. It must be the transaction's LAST statement:
 * holding the user's row lock from the seq until COMMIT makes seq order the commit order.
 */
export class ChangeWrites {
  constructor(private readonly tx: SqlExecutor) {}

  async record(userId: string, change: ChangeRecord): Promise<RecordedChange> {
    const task = change.task === null ? null : JSON.stringify(change.task);
    const previous = change.previous ? JSON.stringify(change.previous) : null;
    const [row] = await this.tx.query(
      insertChange(userId, change.taskId, change.type, change.version, [...change.changed], task, previous),
    );
    if (!row) throw new Error('The change of a write has no user row to number it');
    return { seq: Number(row.seq), at: row.at };
  }
}
