import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  TaskEvent,
  type AppendLogInput,
  type CreateTaskInput,
  type LogEntry,
  type LogPage,
  type LogPageQuery,
  type ReplaceTaskInput,
  type Task,
  type TaskFilter,
  type TaskList,
  type UpdateTaskInput,
} from '@tasks/schemas';
import type { AuthUser } from '../auth/auth-user.js';
import { AppConfig } from '../config/app-config.js';
import type { Task as TaskRow } from '../generated/prisma/client.js';
import { type IfMatch, ifMatchAccepts } from './if-match.js';
import type { RequestBudget } from './request-budget.js';
import { completeToggleTarget, planEdit, type TaskEdit } from './task-lifecycle.js';
import { LogCursorCodec } from './log-cursor.js';
import { countWithin, logEntryBytesBound, taskBytesBound } from './response-size.js';
import { toLogEntry, toTask } from './task.mapper.js';
import { TaskEventsPublisher } from './task-events.publisher.js';
import {
  InvalidLogCursorError,
  PreconditionFailedError,
  RunningCapReachedError,
  TaskBusyError,
  TaskNotFoundError,
  TaskQuotaExceededError,
} from './tasks.errors.js';
import { TasksRepository } from './tasks.repository.js';

/** Compare-and-set attempts before a write without If-Match gives up on a task that keeps changing. */
const MAX_WRITE_ATTEMPTS = 8;

/** The rules of the Tasks API. Events go out only after the change committed. */
@Injectable()
export class TasksService {
  private readonly logCursors: LogCursorCodec;

  constructor(
    private readonly repository: TasksRepository,
    private readonly events: TaskEventsPublisher,
    private readonly config: AppConfig,
  ) {
    this.logCursors = new LogCursorCodec(config.jwt.secret);
  }

  async create(user: AuthUser, input: CreateTaskInput, budget: RequestBudget): Promise<Task> {
    budget.assertOpen();
    const max = this.config.tasks.maxPerUser;
    const row = await this.repository.createBelowQuota(
      user.id,
      { title: input.title, description: input.description ?? null, priority: input.priority ?? 'MEDIUM' },
      new Date(),
      max,
    );
    if (!row) throw new TaskQuotaExceededError(max);
    return this.published(user, TaskEvent.Created, row);
  }

  /**
   * A page stops early when its tasks would make the response larger than 1 MiB (only tasks with
   * very long texts do); `limit` then says how many it holds, so `offset + limit` continues it.
   */
  async list(user: AuthUser, filter: TaskFilter): Promise<TaskList> {
    const { rows, total } = await this.repository.listForUser(user.id, filter);
    const items = rows.map(toTask);
    const fit = countWithin(items, taskBytesBound);
    if (fit < items.length) return { items: items.slice(0, fit), total, limit: fit, offset: filter.offset };
    return { items, total, limit: filter.limit, offset: filter.offset };
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
    budget.assertOpen();
    const row = await this.repository.appendLog(user.id, id, entry, this.config.tasks.logLimit, now);
    if (!row) throw new TaskNotFoundError();
    return { entry, task: this.published(user, TaskEvent.Updated, row) };
  }

  async remove(user: AuthUser, id: string, ifMatch: IfMatch, budget: RequestBudget): Promise<void> {
    let version: number | undefined;
    if (ifMatch.kind === 'versions') {
      const current = await this.owned(user, id);
      if (!ifMatchAccepts(ifMatch, current.version)) throw new PreconditionFailedError(current.version);
      version = current.version;
    }
    budget.assertOpen();
    const row = await this.repository.softDelete(user.id, id, version, new Date());
    if (!row) {
      // Gone meanwhile → 404; changed meanwhile → its If-Match is stale now.
      const current = await this.owned(user, id);
      throw new PreconditionFailedError(current.version);
    }
    this.events.publish(user.id, TaskEvent.Deleted, { id: row.id });
  }

  /**
   * Read → apply the lifecycle rules → compare-and-set on the version read. With If-Match a lost
   * race is a 412; without it the edit is re-planned on the fresh row (last write wins).
   */
  private async edit(
    user: AuthUser,
    id: string,
    ifMatch: IfMatch,
    budget: RequestBudget,
    editFor: (current: TaskRow) => TaskEdit,
  ): Promise<Task> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.owned(user, id);
      if (!ifMatchAccepts(ifMatch, current.version)) throw new PreconditionFailedError(current.version);
      const now = new Date();
      const { changes, entersRunning } = planEdit(current, editFor(current), now);
      if (Object.keys(changes).length === 0) return toTask(current);
      budget.assertOpen();

      if (entersRunning) {
        const cap = this.config.tasks.maxConcurrent;
        const result = await this.repository.startIfBelowRunningCap(user.id, id, current.version, changes, now, cap);
        if (result.kind === 'cap-reached') throw new RunningCapReachedError(cap);
        if (result.kind === 'updated') return this.published(user, TaskEvent.Updated, result.row);
      } else {
        const row = await this.repository.updateIfVersion(user.id, id, current.version, changes, now);
        if (row) return this.published(user, TaskEvent.Updated, row);
      }
    }
    throw new TaskBusyError();
  }

  private async owned(user: AuthUser, id: string): Promise<TaskRow> {
    const row = await this.repository.findOwnedById(user.id, id);
    if (!row) throw new TaskNotFoundError();
    return row;
  }

  private published(user: AuthUser, event: typeof TaskEvent.Created | typeof TaskEvent.Updated, row: TaskRow): Task {
    const task = toTask(row);
    this.events.publish(user.id, event, task);
    return task;
  }
}
