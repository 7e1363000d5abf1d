import type { LogEntry, Task } from '@tasks/schemas';

/** No response is larger than this (contract v2); pages stop early to stay below it. */
export const RESPONSE_BYTES_MAX = 1024 * 1024;
/** What items of one page may add up to, leaving room for the page's own fields. */
export const PAGE_ITEMS_BYTES_MAX = RESPONSE_BYTES_MAX - 48 * 1024;

// Keys, quotes, UUIDs, timestamps, enums and numbers of a Task / LogEntry: generous fixed parts.
const TASK_FIXED_BYTES = 512;
const LOG_ENTRY_FIXED_BYTES = 128;

/** Upper bound of a string's JSON bytes: at worst 6 per UTF-16 unit (a control character as \uXXXX). */
function textBound(value: string | null): number {
  return value === null ? 4 : 6 * value.length + 2;
}

/** Upper bound of `JSON.stringify(entry)` in bytes, without serialising it. */
export function logEntryBytesBound(entry: LogEntry): number {
  return LOG_ENTRY_FIXED_BYTES + textBound(entry.message);
}

/** Upper bound of `JSON.stringify(task)` in bytes, without serialising it. */
export function taskBytesBound(task: Task): number {
  return (
    TASK_FIXED_BYTES +
    textBound(task.title) +
    textBound(task.description) +
    textBound(task.errorMessage) +
    (task.lastLog ? logEntryBytesBound(task.lastLog) : 4)
  );
}

/** How many of `items`, from the first, fit in `budget` bytes by `bound` (at least one). */
export function countWithin<T>(items: readonly T[], bound: (item: T) => number, budget = PAGE_ITEMS_BYTES_MAX): number {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += bound(items[i]!);
    if (used > budget && i > 0) return i;
  }
  return items.length;
}
