// The baseline's task JSON and cursors, byte for byte the app's (task.mapper.ts, response-size.ts,
// common/cursors): the bench compares the two servers' answers.
import { createHmac } from 'node:crypto';

export interface TaskRow {
  id: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  started_at: Date | null;
  completed_at: Date | null;
  failed_at: Date | null;
  error_message: string | null;
  log_count: number;
  last_log: LogEntry | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface LogEntry {
  id: string;
  at: string;
  level: string;
  message: string;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
// jsonb reorders keys: rebuilt in the contract's order, as apps/backend's task.mapper does.
const lastLog = (e: LogEntry | null) => (e === null ? null : { id: e.id, at: e.at, level: e.level, message: e.message });
export const toTask = (r: TaskRow) => ({
  id: r.id,
  title: r.title,
  description: r.description,
  status: r.status,
  priority: r.priority,
  startedAt: iso(r.started_at),
  completedAt: iso(r.completed_at),
  failedAt: iso(r.failed_at),
  errorMessage: r.error_message,
  logCount: r.log_count,
  lastLog: lastLog(r.last_log),
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const PAGE_ITEMS_BYTES_MAX = 1024 * 1024 - 48 * 1024;
const textBound = (value: string | null) => (value === null ? 4 : 6 * value.length + 2);
const taskBound = (t: TaskJson) =>
  512 + textBound(t.title) + textBound(t.description) + textBound(t.errorMessage) + (t.lastLog ? 128 + textBound(t.lastLog.message) : 4);
export function countWithin(items: TaskJson[]): number {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += taskBound(items[i]!);
    if (used > PAGE_ITEMS_BYTES_MAX && i > 0) return i;
  }
  return items.length;
}

export type TaskJson = ReturnType<typeof toTask>;

/** The change and list cursors the app signs with `secret` (its JWT secret). */
export function cursorsFor(secret: string) {
  const keyOf = (purpose: string) => createHmac('sha256', secret).update(purpose).digest();
  const [changeKey, listKey] = [keyOf('task-change-cursor'), keyOf('task-list-cursor')];
  // The app's cursors (log-cursor.ts): `<position>.<mac>`, a truncated HMAC under a key per purpose.
  const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest().subarray(0, 12).toString('base64url');
  const changeCursor = (userId: string, seq: string) => `${seq}.${mac(changeKey, `${userId.toLowerCase()}:${seq}`)}`;
  // task-list-cursor.ts for the one walk the baseline serves: newest first, no filters.
  // The walk is pinned to the page's change-feed position (the cursor's third element).
  const listCursor = (userId: string, last: { id: string; createdAt: string }, snapshot: number) => {
    const body = Buffer.from(JSON.stringify([last.createdAt, last.id, snapshot])).toString('base64url');
    return `${body}.${mac(listKey, `${JSON.stringify([userId.toLowerCase(), '-createdAt', null, null, null])}:${body}`)}`;
  };
  return { changeCursor, listCursor };
}
