import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type LogEntry, TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStats } from '@tasks/schemas';
import { type CommitDeadline, DirectSql, type SqlExecutor } from '../database/direct-sql.js';
import { type ChangeRecord, ChangeWrites, type RecordedChange } from '../changes/change-log.sql.js';
import type { TaskChanges } from './task-lifecycle.js';
import { countLive, listPageStatement, type ListQuery, type PageRow } from './task-list.queries.js';
import { type AsOfPageRow, listPageAsOf } from './task-list-asof.queries.js';
import {
  appendLogEntry,
  countRunning,
  insertIfFewerLive,
  LOG_PAGE,
  type LogRow,
  lockOwned,
  lockQuota,
  lockRunningCap,
  QUOTA_RACE_MARGIN,
  selectOwned,
  setColumns,
  type TaskRow,
  trimLog,
  updateAtVersion,
} from './task-statements.js';

export type { LogRow, TaskRow };

/** A listed task and its sort key as of the walk's snapshot. */
export type ListedRow = TaskRow & { walkKey: Date | TaskPriority };

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
    // Entries are numbered from 1: until more than `keep` were ever appended, there is nothing to trim.
    if (row.logSeq > keep) await this.tx.query(trimLog(id, row.logSeq - keep));
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
   * One page of the user's live tasks matching `list`, how many match and the user's change_seq
   * (the feed position the page shows), in one statement, hence one snapshot (task-list.queries.ts).
   * Each row's `walkKey` is its sort key at that position. With `after`, the page is read as of the
   * walk's snapshot (task-list-asof.queries.ts) and `expired` says whether a change after it is
   * no longer kept (past `retentionSeconds` or pruned), so the walk cannot go on exactly once.
   */
  async listForUser(
    userId: string,
    list: ListQuery,
    retentionSeconds: number,
  ): Promise<{ rows: ListedRow[]; total: number; changeSeq: number; expired: boolean }> {
    const found: PageRow[] & Partial<AsOfPageRow>[] = list.after
      ? await this.sql.query<AsOfPageRow>(listPageAsOf(userId, { ...list, after: list.after }, retentionSeconds).compile())
      : await this.sql.query<PageRow>(listPageStatement(userId, list));
    const total = found[0]?.total ?? 0;
    const changeSeq = Number(found[0]?.changeSeq ?? 0);
    const expired = found[0]?.expired ?? false;
    // The rows themselves, not copies without the page's columns: toTask picks the task's fields.
    const rows = found.filter((row): row is typeof row & ListedRow => row.id !== null && row.walkKey !== null);
    return { rows, total, changeSeq, expired };
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
    const query = page.before === undefined ? LOG_PAGE.first : LOG_PAGE.before;
    const rows = await this.sql.query(query(userId, id, page.keep, page.limit, page.before ?? 0));
    if (rows.length === 0) return null;
    return rows.filter((row): row is LogRow => row.id !== null);
  }
}
