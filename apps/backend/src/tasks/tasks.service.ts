import { Injectable } from '@nestjs/common';
import {
  TASK_LOGS_KEPT,
  TaskEvent,
  type AppendLogInput,
  type CreateTaskInput,
  type ReplaceTaskInput,
  type Task,
  type TaskFilter,
  type TaskList,
  type UpdateTaskInput,
} from '@tasks/schemas';
import type { AuthUser } from '../auth/auth-user.js';
import { AuditLog } from '../common/audit/audit.log.js';
import { AppConfig } from '../config/app-config.js';
import type { Task as TaskRow } from '../generated/prisma/client.js';
import { type IfMatch, ifMatchAccepts } from './if-match.js';
import type { RequestBudget } from './request-budget.js';
import { completeToggleTarget, planEdit, type TaskEdit } from './task-lifecycle.js';
import { toTask } from './task.mapper.js';
import { TaskEventsPublisher } from './task-events.publisher.js';
import { PreconditionFailedError, RunningCapReachedError, TaskBusyError, TaskNotFoundError } from './tasks.errors.js';
import { TasksRepository } from './tasks.repository.js';

/** Compare-and-set attempts before a write without If-Match gives up on a task that keeps changing. */
const MAX_WRITE_ATTEMPTS = 8;

/** The rules of the Tasks API. Events go out only after the change committed. */
@Injectable()
export class TasksService {
  constructor(
    private readonly repository: TasksRepository,
    private readonly events: TaskEventsPublisher,
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
  ) {}

  async create(user: AuthUser, input: CreateTaskInput, budget: RequestBudget): Promise<Task> {
    budget.assertOpen();
    const row = await this.repository.create(
      user.id,
      { title: input.title, description: input.description ?? null, priority: input.priority ?? 'MEDIUM' },
      new Date(),
    );
    return this.published(user, TaskEvent.Created, row);
  }

  async list(user: AuthUser, filter: TaskFilter): Promise<TaskList> {
    const { rows, total } = await this.repository.listForUser(user.id, filter);
    return { items: rows.map(toTask), total, limit: filter.limit, offset: filter.offset };
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

  async appendLog(user: AuthUser, id: string, input: AppendLogInput, budget: RequestBudget): Promise<Task> {
    const now = new Date();
    const entry = { at: now.toISOString(), level: input.level, message: input.message };
    budget.assertOpen();
    const row = await this.repository.appendLog(user.id, id, entry, TASK_LOGS_KEPT, now);
    if (!row) throw new TaskNotFoundError();
    return this.published(user, TaskEvent.Updated, row, ['logs']);
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
    this.audit.write('task.deleted', { userId: user.id, taskId: row.id });
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
        if (result.kind === 'updated') return this.published(user, TaskEvent.Updated, result.row, Object.keys(changes));
      } else {
        const row = await this.repository.updateIfVersion(user.id, id, current.version, changes, now);
        if (row) return this.published(user, TaskEvent.Updated, row, Object.keys(changes));
      }
    }
    throw new TaskBusyError();
  }

  private async owned(user: AuthUser, id: string): Promise<TaskRow> {
    const row = await this.repository.findOwnedById(user.id, id);
    if (!row) throw new TaskNotFoundError();
    return row;
  }

  /** After commit: the live event, and the audit line (`changed` = the fields an update changed). */
  private published(
    user: AuthUser,
    event: typeof TaskEvent.Created | typeof TaskEvent.Updated,
    row: TaskRow,
    changed: readonly string[] = [],
  ): Task {
    const task = toTask(row);
    if (event === TaskEvent.Created) this.audit.write('task.created', { userId: user.id, taskId: row.id });
    else this.audit.write('task.updated', { userId: user.id, taskId: row.id, changed });
    this.events.publish(user.id, event, task);
    return task;
  }
}
