import type { StoredAnswer } from '../idempotency/idempotency.repository.js';
import { etagOf } from './if-match.js';
import { toTask } from './task.mapper.js';
import type { TaskRow } from './tasks.repository.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

function rowOf(result: unknown): TaskRow | null {
  if (result === null || typeof result !== 'object') return null;
  if ('row' in result) return rowOf(result.row);
  return 'version' in result && 'id' in result ? (result as TaskRow) : null;
}

/**
 * The answer a single-task write route gives for its transaction's result (the row it wrote), as
 * TasksController renders it: known before COMMIT, so an Idempotency-Key's answer can commit with
 * the write itself. Undefined when the result is no row (the route answers a problem after).
 */
export function answerOfTaskWrite(method: string, route: string, result: unknown): StoredAnswer | undefined {
  const row = rowOf(result);
  if (!row) return undefined;
  if (method === 'DELETE') return { status: 204, headers: {}, body: null };
  const task = toTask(row);
  const etag = etagOf(task.version);
  if (route.endsWith('/logs')) return { status: 201, headers: { etag, 'content-type': JSON_TYPE }, body: JSON.stringify(task.lastLog) };
  if (method === 'POST') {
    return { status: 201, headers: { etag, location: `/api/tasks/${task.id}`, 'content-type': JSON_TYPE }, body: JSON.stringify(task) };
  }
  return { status: 200, headers: { etag, 'content-type': JSON_TYPE }, body: JSON.stringify(task) };
}
