import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { TaskFilter, TaskLogLevel, TaskPriority, TaskSort } from '@tasks/schemas';
import { AppConfig } from '../config/app-config.js';
import { Prisma, type Task as TaskRow } from '../generated/prisma/client.js';
import { DirectSql } from '../prisma/direct-sql.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { TaskChanges } from './task-lifecycle.js';

/** First key of the two-key advisory lock that serialises "start a task" per user. */
const RUNNING_CAP_LOCK_SPACE = 4_104_001;

export type StartResult = { kind: 'updated'; row: TaskRow } | { kind: 'stale' } | { kind: 'cap-reached' };

// Sort columns of the list, each with the id as tie-break. Qualified with the page's alias `p`:
// an unqualified `priority` in the outer ORDER BY would be the text alias (alphabetical), not the enum.
const ORDER_BY: Record<TaskSort, { inner: Prisma.Sql; outer: Prisma.Sql }> = {
  createdAt: { inner: Prisma.sql`created_at ASC, id ASC`, outer: Prisma.sql`p.created_at ASC, p.id ASC` },
  '-createdAt': { inner: Prisma.sql`created_at DESC, id DESC`, outer: Prisma.sql`p.created_at DESC, p.id DESC` },
  updatedAt: { inner: Prisma.sql`updated_at ASC, id ASC`, outer: Prisma.sql`p.updated_at ASC, p.id ASC` },
  '-updatedAt': { inner: Prisma.sql`updated_at DESC, id DESC`, outer: Prisma.sql`p.updated_at DESC, p.id DESC` },
  // PostgreSQL orders enum values as declared (LOW < MEDIUM < HIGH < URGENT).
  priority: { inner: Prisma.sql`priority ASC, id ASC`, outer: Prisma.sql`p.priority ASC, p.id ASC` },
  '-priority': { inner: Prisma.sql`priority DESC, id DESC`, outer: Prisma.sql`p.priority DESC, p.id DESC` },
};

/** A list row: the total, and a task's columns (all null on the one row of an empty page). */
type PageRow = Omit<TaskRow, 'id'> & { id: string | null; total: number };

/** `column IN (…)` over enum values, each parameter cast to the column's enum type. */
function inEnum(column: Prisma.Sql, type: Prisma.Sql, values: readonly string[]): Prisma.Sql {
  if (values.length === 0) return Prisma.sql`false`;
  return Prisma.sql`${column} IN (${Prisma.join(values.map((value) => Prisma.sql`${value}::${type}`))})`;
}

// Raw statements return snake_case columns; these aliases give them the model's field names.
const TASK_COLUMNS = Prisma.sql`id, user_id AS "userId", title, description, status::text AS status,
  priority::text AS priority, started_at AS "startedAt", completed_at AS "completedAt", failed_at AS "failedAt",
  error_message AS "errorMessage", logs, version, created_at AS "createdAt", updated_at AS "updatedAt",
  deleted_at AS "deletedAt"`;
const RETURNING_TASK = Prisma.sql`RETURNING ${TASK_COLUMNS}`;

// `column = value` for each field a change may set; enums are cast to their PostgreSQL types.
const SET_COLUMN: { [K in keyof Required<TaskChanges>]: (value: TaskChanges[K]) => Prisma.Sql } = {
  title: (value) => Prisma.sql`title = ${value}`,
  description: (value) => Prisma.sql`description = ${value}`,
  status: (value) => Prisma.sql`status = ${value}::"TaskStatus"`,
  priority: (value) => Prisma.sql`priority = ${value}::"TaskPriority"`,
  startedAt: (value) => Prisma.sql`started_at = ${value}`,
  completedAt: (value) => Prisma.sql`completed_at = ${value}`,
  failedAt: (value) => Prisma.sql`failed_at = ${value}`,
  errorMessage: (value) => Prisma.sql`error_message = ${value}`,
};

function setClauses(changes: TaskChanges): Prisma.Sql[] {
  return (Object.keys(changes) as (keyof TaskChanges)[]).map((field) => SET_COLUMN[field](changes[field] as never));
}

/** The compare-and-set UPDATE every change goes through: owner, live row and version all checked in the WHERE. */
function updateAtVersion(userId: string, id: string, version: number | undefined, sets: Prisma.Sql[], now: Date): Prisma.Sql {
  return Prisma.sql`
    UPDATE tasks SET ${Prisma.join([...sets, Prisma.sql`updated_at = ${now}`, Prisma.sql`version = version + 1`])}
    WHERE id = ${id}::uuid AND user_id = ${userId}::uuid AND deleted_at IS NULL
      ${version === undefined ? Prisma.empty : Prisma.sql`AND version = ${version}`}
    ${RETURNING_TASK}`;
}

/**
 * The only code that touches the tasks table. Every statement is scoped to the owner and to live
 * rows (`userId`, `deletedAt: null`), so no caller can reach another user's or a deleted task.
 * Single statements run on DirectSql (see there for why); the running-cap transaction is Prisma's.
 */
@Injectable()
export class TasksRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: DirectSql,
    private readonly config: AppConfig,
  ) {}

  /** The id is a v4 UUID made here, as Prisma's `@default(uuid())` does. */
  async create(
    userId: string,
    data: { title: string; description: string | null; priority: TaskPriority },
    now: Date,
  ): Promise<TaskRow> {
    const rows = await this.sql.query<TaskRow>(Prisma.sql`
      INSERT INTO tasks (id, user_id, title, description, priority, created_at, updated_at)
      VALUES (${randomUUID()}::uuid, ${userId}::uuid, ${data.title}, ${data.description},
        ${data.priority}::"TaskPriority", ${now}, ${now})
      ${RETURNING_TASK}`);
    const row = rows[0];
    if (!row) throw new Error('INSERT … RETURNING returned no row');
    return row;
  }

  async findOwnedById(userId: string, id: string): Promise<TaskRow | null> {
    const rows = await this.sql.query<TaskRow>(Prisma.sql`
      SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ${id}::uuid AND user_id = ${userId}::uuid AND deleted_at IS NULL`);
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
    const order = ORDER_BY[filter.sort];
    const found = await this.sql.query<PageRow>(Prisma.sql`
      SELECT c.total, p.id, p.user_id AS "userId", p.title, p.description, p.status::text AS status,
        p.priority::text AS priority, p.started_at AS "startedAt", p.completed_at AS "completedAt",
        p.failed_at AS "failedAt", p.error_message AS "errorMessage", p.logs, p.version,
        p.created_at AS "createdAt", p.updated_at AS "updatedAt", p.deleted_at AS "deletedAt"
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

  /** Applies `changes` only if the task is still at `version` (compare-and-set); null when it is not. */
  async updateIfVersion(
    userId: string,
    id: string,
    version: number,
    changes: TaskChanges,
    now: Date,
  ): Promise<TaskRow | null> {
    const rows = await this.sql.query<TaskRow>(updateAtVersion(userId, id, version, setClauses(changes), now));
    return rows[0] ?? null;
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
        const [row] = await tx.$queryRaw<TaskRow[]>(updateAtVersion(userId, id, version, setClauses(changes), now));
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
    const rows = await this.sql.query<TaskRow>(Prisma.sql`
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
      ${RETURNING_TASK}`);
    return rows[0] ?? null;
  }

  /** Sets deletedAt (at `version` when given); null when there was no live task to delete. */
  async softDelete(userId: string, id: string, version: number | undefined, now: Date): Promise<TaskRow | null> {
    const rows = await this.sql.query<TaskRow>(updateAtVersion(userId, id, version, [Prisma.sql`deleted_at = ${now}`], now));
    return rows[0] ?? null;
  }
}
