import type { Task, TaskLogEntry } from '@tasks/schemas';
import type { Task as TaskRow } from '../generated/prisma/client.js';

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** Logs are stored as a JSON array of `{ at, level, message }` written only by TasksRepository.appendLog. */
function logsOf(value: unknown): TaskLogEntry[] {
  return Array.isArray(value) ? (value as TaskLogEntry[]) : [];
}

/** A database row → the `Task` JSON shape of the contract; `userId` and `deletedAt` never leave. */
export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
    failedAt: iso(row.failedAt),
    errorMessage: row.errorMessage,
    logs: logsOf(row.logs),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
