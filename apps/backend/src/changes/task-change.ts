import type { TaskChangeType } from '../generated/kysely/enums.js';
import { toTask } from '../tasks/task.mapper.js';
import type { TaskRow } from '../tasks/tasks.repository.js';
import type { ChangeRecord } from './change-log.sql.js';

/** The fields a log append changes. */
export const LOG_APPEND_FIELDS: readonly string[] = ['logCount', 'lastLog'];

/**
 * The change record of a write that left the task as `row` (a delete records no task). An update
 * passes `before`, the row it replaced: the record keeps the old values of the `changed` fields and
 * of updatedAt, from which a list walk reads the task's state before the change.
 */
export function taskChange(type: TaskChangeType, row: TaskRow, changed: readonly string[] = [], before?: TaskRow): ChangeRecord {
  const previous = before
    ? Object.fromEntries([...changed, 'updatedAt'].map((field) => [field, before[field as keyof TaskRow] ?? null]))
    : null;
  return { taskId: row.id, type, version: row.version, changed, task: type === 'task:deleted' ? null : toTask(row), previous };
}
