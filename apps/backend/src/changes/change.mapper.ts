import { type Change, logEntrySchema, type Task, taskSchema } from '@tasks/schemas';
import { taskBytesBound } from '../tasks/response-size.js';
import type { ChangeRow } from './changes.repository.js';

const TASK_KEYS = Object.keys(taskSchema.shape) as (keyof Task)[];
const LOG_ENTRY_KEYS = Object.keys(logEntrySchema.shape);
// Keys, quotes, cursor, uuid, type, time and `changed` of a Change around its task.
const CHANGE_FIXED_BYTES = 512;

function ordered(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, value[key]]));
}

/** jsonb reorders keys: the stored task is rebuilt in the contract's key order (the bytes the write answered). */
function taskOf(stored: Record<string, unknown>): Task {
  const task = ordered(stored, TASK_KEYS) as Task;
  const lastLog = stored.lastLog as Record<string, unknown> | null;
  return { ...task, lastLog: lastLog === null ? null : (ordered(lastLog, LOG_ENTRY_KEYS) as Task['lastLog']) };
}

/** A stored change → the contract's `Change`; `cursor` is its position in the owner's feed. */
export function toChange(row: ChangeRow, cursor: string): Change {
  return {
    cursor,
    type: row.type,
    taskId: row.taskId,
    at: row.at.toISOString(),
    task: row.task === null ? null : taskOf(row.task),
    changed: row.changed,
  };
}

/** Upper bound of `JSON.stringify(change)` in bytes. */
export function changeBytesBound(change: Change): number {
  return CHANGE_FIXED_BYTES + (change.task ? taskBytesBound(change.task) : 4) + 64 * change.changed.length;
}
