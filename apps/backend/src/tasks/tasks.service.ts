import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type AppendLogInput,
  type CreateTaskInput,
  type LogEntry,
  type LogPage,
  type LogPageQuery,
  type ReplaceTaskInput,
  type Task,
  type TaskFilter,
  type TaskList,
  type TaskStats,
  type UpdateTaskInput,
} from '@tasks/schemas';
import type { AuthUser } from '../auth/auth-user.js';
import { AuditLog } from '../common/audit/audit.log.js';
import { DomainEventBus } from '../common/events/domain-events.js';
import { ChangeCursorCodec } from '../changes/change-cursor.js';
import { ChangeCursorExpiredError } from '../changes/changes.errors.js';
import { LOG_APPEND_FIELDS, taskChange } from '../changes/task-change.js';
import type { RecordedChange } from '../changes/change-log.sql.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import type { TaskRow } from './tasks.repository.js';
import { type IfMatch, ifMatchAccepts } from './if-match.js';
import type { RequestBudget } from './request-budget.js';
import { completeToggleTarget, planEdit, type TaskEdit } from './task-lifecycle.js';
import { LogCursorCodec } from './log-cursor.js';
import { ListCursorCodec, type ListPosition } from './task-list-cursor.js';
import { cursorKeyOf } from './task-list.queries.js';
import { countWithin, logEntryBytesBound, taskBytesBound } from './response-size.js';
import { toLogEntry, toTask } from './task.mapper.js';
import {
  InvalidListCursorError,
  InvalidLogCursorError,
  PreconditionFailedError,
  RunningCapReachedError,
  TaskNotFoundError,
  TaskQuotaExceededError,
} from './tasks.errors.js';
import { TasksRepository, type TaskWrites } from './tasks.repository.js';

/** The rules of the Tasks API. Domain events go out only after the change committed. */
@Injectable()
export class TasksService {
  private readonly logCursors: LogCursorCodec;
  private readonly changeCursors: ChangeCursorCodec;
  private readonly listCursors: ListCursorCodec;

  constructor(
    private readonly repository: TasksRepository,
    private readonly events: DomainEventBus,
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly metrics: Metrics,
  ) {
    this.logCursors = new LogCursorCodec(config.jwt.secret);
    this.changeCursors = new ChangeCursorCodec(config.jwt.secret);
    this.listCursors = new ListCursorCodec(config.jwt.secret);
  }

  async create(user: AuthUser, input: CreateTaskInput, budget: RequestBudget): Promise<Task> {
    const max = this.config.tasks.maxPerUser;
    const data = { title: input.title, description: input.description ?? null, priority: input.priority ?? 'MEDIUM' } as const;
    const written = await this.repository.write(budget, async (writes) => {
      const created = await writes.insertBelowQuota(user.id, data, new Date(), max);
      return created && { row: created, ...(await writes.recordChange(user.id, taskChange('task:created', created))) };
    });
    if (!written) {
      this.audit.write('tasks.quota_exceeded', { userId: user.id, max }, budget.origin);
      this.metrics.rateLimitRejected('tasks_quota');
      throw new TaskQuotaExceededError(max);
    }
    return this.published(user, 'task.created', written, budget);
  }

  /**
   * A page stops early when its tasks would make the response larger than 1 MiB (only tasks with
   * very long texts do); `limit` then says how many it holds, so `offset + limit` or `nextCursor`
   * continues it. `nextCursor` (also on offset pages) continues after the page's last task with
   * the same filters and sort, which it is bound to (with the user), pinned to the change-feed
   * position of the walk's first page: later pages place and filter tasks as they were then, so
   * each task that existed throughout is returned once. A walk whose changes since that position
   * are no longer all kept cannot guarantee that: 410 cursor-expired.
   */
  async list(user: AuthUser, filter: TaskFilter): Promise<TaskList> {
    let after: ListPosition | undefined;
    if (filter.cursor !== undefined) {
      const position = this.listCursors.decode(user.id, filter, filter.cursor);
      if (!position) throw new InvalidListCursorError();
      after = position;
    }
    // One row more than the page tells whether another page follows.
    const { rows, total, changeSeq, expired } = await this.repository.listForUser(
      user.id,
      {
        status: filter.status,
        priority: filter.priority,
        q: filter.q,
        sort: filter.sort,
        limit: filter.limit + 1,
        offset: filter.offset,
        after,
      },
      this.config.changes.retentionSeconds,
    );
    if (after && after.snapshot > changeSeq) throw new InvalidListCursorError();
    if (expired) throw new ChangeCursorExpiredError();
    const snapshot = after?.snapshot ?? changeSeq;
    const items = rows.slice(0, filter.limit).map(toTask);
    const fit = countWithin(items, taskBytesBound);
    const more = fit < items.length || rows.length > filter.limit;
    const last = rows[fit - 1];
    const nextCursor =
      more && last ? this.listCursors.encode(user.id, filter, { key: cursorKeyOf(last.walkKey), id: last.id, snapshot }) : null;
    const limit = fit < items.length ? fit : filter.limit;
    const changesCursor = this.changeCursors.encode(user.id, changeSeq);
    return { items: items.slice(0, fit), total, limit, offset: filter.offset, nextCursor, changesCursor };
  }

  async stats(user: AuthUser): Promise<TaskStats> {
    return this.repository.countLive(user.id);
  }

  /** Newest first; a page also stops early to stay under 1 MiB, and `nextCursor` continues it. */
  async listLogs(user: AuthUser, id: string, query: LogPageQuery): Promise<LogPage> {
    let before: number | undefined;
    if (query.cursor !== undefined) {
      const seq = this.logCursors.decode(id, query.cursor);
      if (seq === null) {
        // A task that is not the caller's is a 404 whatever the cursor says.
        await this.owned(user, id);
        throw new InvalidLogCursorError();
      }
      before = seq;
    }
    const rows = await this.repository.findLogPage(user.id, id, {
      limit: query.limit + 1,
      before,
      keep: this.config.tasks.logLimit,
    });
    if (!rows) throw new TaskNotFoundError();
    const entries = rows.slice(0, query.limit).map(toLogEntry);
    const fit = countWithin(entries, logEntryBytesBound);
    const more = fit < entries.length || rows.length > query.limit;
    const last = rows[fit - 1];
    return {
      items: entries.slice(0, fit),
      nextCursor: more && last ? this.logCursors.encode(id, last.seq) : null,
    };
  }

  async get(user: AuthUser, id: string): Promise<Task> {
    return toTask(await this.owned(user, id));
  }

  update(user: AuthUser, id: string, input: UpdateTaskInput, ifMatch: IfMatch, budget: RequestBudget): Promise<Task> {
    return this.edit(user, id, ifMatch, budget, () => input);
  }

  replace(user: AuthUser, id: string, input: ReplaceTaskInput, ifMatch: IfMatch, budget: RequestBudget): Promise<Task> {
    return this.edit(user, id, ifMatch, budget, () => input);
  }

  toggleComplete(user: AuthUser, id: string, ifMatch: IfMatch, budget: RequestBudget): Promise<Task> {
    return this.edit(user, id, ifMatch, budget, (current) => ({ status: completeToggleTarget(current.status) }));
  }

  /** The new entry, and the task it changed (its version is the ETag; the event carries it). */
  async appendLog(
    user: AuthUser,
    id: string,
    input: AppendLogInput,
    budget: RequestBudget,
  ): Promise<{ entry: LogEntry; task: Task }> {
    const now = new Date();
    const entry: LogEntry = { id: randomUUID(), at: now.toISOString(), level: input.level, message: input.message };
    const keep = this.config.tasks.logLimit;
    const written = await this.repository.write(budget, async (writes) => {
      // Locked first so the change records the values the append replaces.
      const before = await writes.lockOwned(user.id, id);
      if (!before) return null;
      const appended = await writes.appendLog(user.id, id, entry, keep, now);
      return (
        appended && { row: appended, ...(await writes.recordChange(user.id, taskChange('task:updated', appended, LOG_APPEND_FIELDS, before))) }
      );
    });
    if (!written) throw new TaskNotFoundError();
    return { entry, task: this.published(user, 'task.updated', written, budget, LOG_APPEND_FIELDS) };
  }

  async remove(user: AuthUser, id: string, ifMatch: IfMatch, budget: RequestBudget): Promise<void> {
    const written = await this.repository.write(budget, async (writes) => {
      if (ifMatch.kind === 'versions') await this.lockedAt(writes, user, id, ifMatch);
      const deleted = await writes.softDelete(user.id, id, undefined, new Date());
      return deleted && { row: deleted, ...(await writes.recordChange(user.id, taskChange('task:deleted', deleted))) };
    });
    if (!written) throw new TaskNotFoundError();
    const { row, seq, at } = written;
    this.events.emit('task.deleted', { userId: user.id, task: { id: row.id }, seq, at });
    this.audit.write('task.deleted', { userId: user.id, taskId: row.id }, budget.origin);
  }

  /**
   * Lock the row → check If-Match → apply the lifecycle rules → update, in one transaction: writes
   * to one task queue on its row lock, so without If-Match every one of them applies in turn (last
   * write wins) and with it a stale version is a 412.
   */
  private async edit(
    user: AuthUser,
    id: string,
    ifMatch: IfMatch,
    budget: RequestBudget,
    editFor: (current: TaskRow) => TaskEdit,
  ): Promise<Task> {
    // The recorded change; null when nothing changed (no change, no event).
    type Edited = { row: TaskRow; changed: string[]; recorded: RecordedChange | null };
    const written = await this.repository.write(budget, async (writes): Promise<Edited> => {
      const current = await this.lockedAt(writes, user, id, ifMatch);
      const now = new Date();
      const { changes, entersRunning } = planEdit(current, editFor(current), now);
      if (Object.keys(changes).length === 0) return { row: current, changed: [], recorded: null };
      if (entersRunning) {
        const cap = this.config.tasks.maxConcurrent;
        if ((await writes.countRunningExclusively(user.id)) >= cap) throw new RunningCapReachedError(cap);
      }
      const updated = await writes.update(user.id, id, changes, now);
      const changed = Object.keys(changes);
      // Last statement of the transaction: the feed's order is the commit order (ChangeWrites).
      const recorded = await writes.recordChange(user.id, taskChange('task:updated', updated, changed, current));
      return { row: updated, changed, recorded };
    });
    const { row, changed, recorded } = written;
    return recorded === null ? toTask(row) : this.published(user, 'task.updated', { row, ...recorded }, budget, changed);
  }

  /** The user's live task, locked for this transaction, if If-Match accepts its version. */
  private async lockedAt(writes: TaskWrites, user: AuthUser, id: string, ifMatch: IfMatch): Promise<TaskRow> {
    const current = await writes.lockOwned(user.id, id);
    if (!current) throw new TaskNotFoundError();
    if (!ifMatchAccepts(ifMatch, current.version)) throw new PreconditionFailedError(current.version);
    return current;
  }

  private async owned(user: AuthUser, id: string): Promise<TaskRow> {
    const row = await this.repository.findOwnedById(user.id, id);
    if (!row) throw new TaskNotFoundError();
    return row;
  }

  /** After commit: the domain event, and the audit line of the request (`changed` = the fields an update changed). */
  private published(
    user: AuthUser,
    event: 'task.created' | 'task.updated',
    { row, seq, at }: { row: TaskRow } & RecordedChange,
    budget: RequestBudget,
    changed: readonly string[] = [],
  ): Task {
    const task = toTask(row);
    if (event === 'task.created') this.audit.write('task.created', { userId: user.id, taskId: row.id }, budget.origin);
    else this.audit.write('task.updated', { userId: user.id, taskId: row.id, changed }, budget.origin);
    this.events.emit(event, { userId: user.id, task, seq, at });
    return task;
  }
}
