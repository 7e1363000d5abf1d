import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DirectSql } from '../database/direct-sql.js';
import { db, prepare } from '../database/query-builder.js';
import type { TaskChangeType } from '../generated/kysely/enums.js';

/** First key of the two-key advisory lock that lets one instance at a time prune the change log. */
const PRUNE_LOCK_SPACE = 4_104_003;

/** One stored change. */
export interface ChangeRow {
  seq: number;
  taskId: string;
  type: TaskChangeType;
  at: Date;
  version: number;
  changed: string[];
  /** The task's JSON as stored (jsonb: its keys come back in jsonb's order). */
  task: Record<string, unknown> | null;
  /** Older than the retention window (by the database's clock). */
  expired: boolean;
}

interface StoredChange extends Omit<ChangeRow, 'seq' | 'changed'> {
  seq: string | null;
  changed: string[] | null;
}

/** A feed page: the user's newest seq and the changes after `since`, read in one snapshot. */
export interface FeedRead {
  head: number;
  rows: ChangeRow[];
}

function changeColumns(retentionSeconds: number) {
  return [
    sql<string>`c.seq::text`.as('seq'),
    sql<string>`c.task_id`.as('taskId'),
    sql<TaskChangeType>`c.type`.as('type'),
    sql<Date>`c.at`.as('at'),
    sql<number>`c.version`.as('version'),
    sql<string[] | null>`c.changed`.as('changed'),
    sql<Record<string, unknown> | null>`c.task`.as('task'),
    sql<boolean>`c.at < now() - make_interval(secs => ${retentionSeconds}::int)`.as('expired'),
  ] as const;
}

const feedPage = prepare((userId: string, since: number, limit: number, retentionSeconds: number) =>
  db
    .selectFrom('users as u')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('task_changes')
          .selectAll()
          .whereRef('task_changes.user_id', '=', 'u.id')
          .where('task_changes.seq', '>', sql<string>`${since}::bigint`)
          .orderBy('task_changes.seq')
          .limit(limit)
          .as('c'),
      (join) => join.onTrue(),
    )
    .select([sql<string>`u.change_seq::text`.as('head'), ...changeColumns(retentionSeconds)])
    .where('u.id', '=', userId)
    .orderBy(sql`c.seq`),
);

const headsOf = prepare((userIds: string[]) =>
  db
    .selectFrom('users')
    .select(['id', sql<string>`change_seq::text`.as('head')])
    .where('id', '=', sql<string>`ANY(${userIds}::uuid[])`),
);

const historyPage = prepare((userId: string, taskId: string, before: number, limit: number) =>
  db
    .selectFrom('tasks as t')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('task_changes')
          .selectAll()
          .whereRef('task_changes.user_id', '=', 't.user_id')
          .whereRef('task_changes.task_id', '=', 't.id')
          .where('task_changes.seq', '<', sql<string>`${before}::bigint`)
          .orderBy('task_changes.seq', 'desc')
          .limit(limit)
          .as('c'),
      (join) => join.onTrue(),
    )
    .select(changeColumns(0))
    .where('t.id', '=', taskId)
    .where('t.user_id', '=', userId)
    .where('t.deleted_at', 'is', null)
    .orderBy(sql`c.seq`, 'desc'),
);

const pruneBatch = prepare((retentionSeconds: number, batch: number) =>
  db
    .with('gone', (qb) =>
      qb
        .deleteFrom('task_changes')
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('user_id', 'seq'),
            'in',
            selectFrom('task_changes')
              .select(['user_id', 'seq'])
              .where('at', '<', sql<Date>`now() - make_interval(secs => ${retentionSeconds}::int)`)
              .limit(batch)
              .$asTuple('user_id', 'seq'),
          ),
        )
        .returning('seq'),
    )
    .selectFrom('gone')
    .select(sql<number>`count(*)::int`.as('n')),
);

function toRow(stored: StoredChange & { seq: string }): ChangeRow {
  return { ...stored, seq: Number(stored.seq), changed: stored.changed ?? [] };
}

function present(row: StoredChange): row is StoredChange & { seq: string } {
  return row.seq !== null;
}

/** The reads of the change log, and its pruning. Writes are ChangeWrites, inside the task writes' transactions. */
@Injectable()
export class ChangesRepository {
  constructor(private readonly sql: DirectSql) {}

  /** The user's newest seq and up to `limit` changes after `since`, oldest first, in one snapshot. */
  async readFeed(userId: string, since: number, limit: number, retentionSeconds: number): Promise<FeedRead> {
    const found = await this.sql.query(feedPage(userId, since, limit, retentionSeconds));
    return { head: Number(found[0]?.head ?? 0), rows: found.filter(present).map(toRow) };
  }

  /** The newest seq of each of these users (users that do not exist are left out). */
  async readHeads(userIds: readonly string[]): Promise<Map<string, number>> {
    const found = await this.sql.query(headsOf([...userIds]));
    return new Map(found.map((row) => [row.id, Number(row.head)]));
  }

  /** Up to `limit` changes of a live task before seq `before`, newest first; null when there is no such live task. */
  async readHistory(userId: string, taskId: string, before: number, limit: number): Promise<ChangeRow[] | null> {
    const found = await this.sql.query(historyPage(userId, taskId, before, limit));
    if (found.length === 0) return null;
    return found.filter(present).map(toRow);
  }

  /**
   * Deletes up to `batch` changes older than the retention in a short transaction of its own, under
   * an advisory lock only one instance gets at a time; `locked` false = another instance is pruning.
   */
  pruneOnce(retentionSeconds: number, batch: number): Promise<{ locked: boolean; deleted: number }> {
    return this.sql.transaction(async (tx) => {
      const [lock] = await tx.query<{ locked: boolean }>(
        sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK_SPACE}::int, 0) AS locked`.compile(db),
      );
      if (!lock?.locked) return { locked: false, deleted: 0 };
      const [gone] = await tx.query(pruneBatch(retentionSeconds, batch));
      return { locked: true, deleted: gone?.n ?? 0 };
    });
  }
}
