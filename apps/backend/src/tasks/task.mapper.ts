import type { LogEntry, Task } from '@tasks/schemas';
import type { TaskRow } from './tasks.repository.js';
import type { LogRow } from './tasks.repository.js';

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/**
 * `last_log` is written only by TasksRepository.appendLog as a LogEntry; jsonb reorders keys, so the
 * entry is rebuilt in the contract's key order (the same bytes as the entry the append answered).
 */
function lastLogOf(value: unknown): LogEntry | null {
  if (value === null || typeof value !== 'object') return null;
  const entry = value as LogEntry;
  return { id: entry.id, at: entry.at, level: entry.level, message: entry.message };
}

/** A database row → the `Task` JSON shape of the contract; `userId`, `deletedAt` and `logSeq` never leave. */
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
    logCount: row.logCount,
    lastLog: lastLogOf(row.lastLog),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toLogEntry(row: LogRow): LogEntry {
  return { id: row.id, at: row.at.toISOString(), level: row.level, message: row.message };
}
