import { Injectable } from '@nestjs/common';
import type { TaskFilter, TaskLogLevel, TaskPriority, TaskSort } from '@tasks/schemas';
import { AppConfig } from '../config/app-config.js';
import { Prisma, type Task as TaskRow } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { TaskChanges } from './task-lifecycle.js';

/** First key of the two-key advisory lock that serialises "start a task" per user. */
const RUNNING_CAP_LOCK_SPACE = 4_104_001;

export type StartResult = { kind: 'updated'; row: TaskRow } | { kind: 'stale' } | { kind: 'cap-reached' };

const ORDER_BY: Record<TaskSort, Prisma.TaskOrderByWithRelationInput[]> = {
  createdAt: [{ createdAt: 'asc' }, { id: 'asc' }],
  '-createdAt': [{ createdAt: 'desc' }, { id: 'desc' }],
  updatedAt: [{ updatedAt: 'asc' }, { id: 'asc' }],
  '-updatedAt': [{ updatedAt: 'desc' }, { id: 'desc' }],
  priority: [{ priority: 'asc' }, { id: 'asc' }],
  '-priority': [{ priority: 'desc' }, { id: 'desc' }],
};

// Raw statements return snake_case columns; these aliases give them the model's field names.
const RETURNING_TASK = Prisma.sql`RETURNING id, user_id AS "userId", title, description, status::text AS status,
  priority::text AS priority, started_at AS "startedAt", completed_at AS "completedAt", failed_at AS "failedAt",
  error_message AS "errorMessage", logs, version, created_at AS "createdAt", updated_at AS "updatedAt",
  deleted_at AS "deletedAt"`;

/**
 * The only code that touches the tasks table. Every statement is scoped to the owner and to live
 * rows (`userId`, `deletedAt: null`), so no caller can reach another user's or a deleted task.
 */
@Injectable()
export class TasksRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  private owned(userId: string, id: string): Prisma.TaskWhereInput {
    return { id, userId, deletedAt: null };
  }

  create(userId: string, data: { title: string; description: string | null; priority: TaskPriority }): Promise<TaskRow> {
    return this.prisma.task.create({ data: { ...data, userId } });
  }

  findOwnedById(userId: string, id: string): Promise<TaskRow | null> {
    return this.prisma.task.findFirst({ where: this.owned(userId, id) });
  }

  /** One page and the total, read in one snapshot; only the page's rows are loaded. */
  async listForUser(userId: string, filter: TaskFilter): Promise<{ rows: TaskRow[]; total: number }> {
    const where: Prisma.TaskWhereInput = {
      userId,
      deletedAt: null,
      ...(filter.status ? { status: { in: filter.status } } : {}),
      ...(filter.priority ? { priority: { in: filter.priority } } : {}),
    };
    const [rows, total] = await this.prisma.$transaction(
      [
        this.prisma.task.findMany({ where, orderBy: ORDER_BY[filter.sort], take: filter.limit, skip: filter.offset }),
        this.prisma.task.count({ where }),
      ],
      { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
    );
    return { rows, total };
  }

  /** Applies `changes` only if the task is still at `version` (compare-and-set); null when it is not. */
  async updateIfVersion(
    userId: string,
    id: string,
    version: number,
    changes: TaskChanges,
    now: Date,
  ): Promise<TaskRow | null> {
    const [row] = await this.prisma.task.updateManyAndReturn({
      where: { ...this.owned(userId, id), version },
      data: { ...changes, updatedAt: now, version: { increment: 1 } },
    });
    return row ?? null;
  }

  /**
   * Moves a task into RUNNING only while the user has fewer than `cap` RUNNING tasks. A per-user
   * advisory lock serialises these transactions, so racing requests count one after another.
   */
  startIfBelowRunningCap(
    userId: string,
    id: string,
    version: number,
    changes: TaskChanges,
    now: Date,
    cap: number,
  ): Promise<StartResult> {
    return this.prisma.$transaction(
      async (tx): Promise<StartResult> => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RUNNING_CAP_LOCK_SPACE}::int, hashtext(${userId}))`;
        const running = await tx.task.count({ where: { userId, deletedAt: null, status: 'RUNNING' } });
        if (running >= cap) return { kind: 'cap-reached' };
        const [row] = await tx.task.updateManyAndReturn({
          where: { ...this.owned(userId, id), version },
          data: { ...changes, updatedAt: now, version: { increment: 1 } },
        });
        return row ? { kind: 'updated', row } : { kind: 'stale' };
      },
      { maxWait: this.config.tasks.timeoutMs, timeout: this.config.tasks.timeoutMs },
    );
  }

  /**
   * Appends a log entry and keeps the newest `keep`, in one UPDATE: the row lock orders concurrent
   * appends and each one re-reads the logs the previous one committed, so none is lost.
   */
  async appendLog(
    userId: string,
    id: string,
    entry: { at: string; level: TaskLogLevel; message: string },
    keep: number,
    now: Date,
  ): Promise<TaskRow | null> {
    const rows = await this.prisma.$queryRaw<TaskRow[]>`
      UPDATE tasks SET
        logs = (
          SELECT COALESCE(jsonb_agg(newest.e ORDER BY newest.n), '[]'::jsonb)
          FROM (
            SELECT l.e, l.n
            FROM jsonb_array_elements(tasks.logs || jsonb_build_array(${JSON.stringify(entry)}::jsonb))
              WITH ORDINALITY AS l(e, n)
            ORDER BY l.n DESC
            LIMIT ${keep}
          ) AS newest
        ),
        version = version + 1,
        updated_at = ${now}
      WHERE id = ${id}::uuid AND user_id = ${userId}::uuid AND deleted_at IS NULL
      ${RETURNING_TASK}`;
    return rows[0] ?? null;
  }

  /** Sets deletedAt (at `version` when given); null when there was no live task to delete. */
  async softDelete(userId: string, id: string, version: number | undefined, now: Date): Promise<TaskRow | null> {
    const [row] = await this.prisma.task.updateManyAndReturn({
      where: { ...this.owned(userId, id), ...(version === undefined ? {} : { version }) },
      data: { deletedAt: now, updatedAt: now, version: { increment: 1 } },
    });
    return row ?? null;
  }
}
