import { ApiError, retryAfterMs } from '@tasks/api-client';
import type { Task } from '@tasks/schemas';
import { api } from '../../lib/api/client.js';
import type { ItemResult } from './task-bulk.js';

/** Retries in flight at once (one request per task). */
const RETRY_PARALLEL = 4;
/** Re-reads of a task that keeps changing while still FAILED before it is reported as not retried. */
const STALE_READS_MAX = 5;
/** Wait when the write rate limit answers 429 without a readable Retry-After. */
const RATE_LIMIT_WAIT_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retry is FAILED → PENDING only. The bulk route takes no precondition and the lifecycle also moves
 * COMPLETED and CANCELLED tasks to PENDING, so each task is retried by its own PATCH with If-Match
 * on a version seen FAILED: a task that left FAILED since it was listed is reported, never reopened.
 */
async function retryOne(id: string, version: number): Promise<ItemResult> {
  let expected = version;
  for (let reads = 0; ; ) {
    try {
      await api.updateTask(id, { status: 'PENDING' }, { ifMatch: expected });
      return { id, status: 200 };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404 || error.status === 409) return { id, status: error.status, problem: { detail: error.detail } };
      if (error.status === 429) {
        await sleep(retryAfterMs(error.headers.get('retry-after')) ?? RATE_LIMIT_WAIT_MS);
        continue;
      }
      if (error.status !== 412) throw error;
    }
    // Changed since it was seen (an edit, a log entry, or a move): retry it only while still FAILED.
    const current = await api.getTaskById(id).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    });
    if (current === null) return { id, status: 404 };
    if (current.status !== 'FAILED' || ++reads >= STALE_READS_MAX) return { id, status: 412 };
    expected = current.version;
  }
}

/** Retries each of `tasks` (as last seen) unless it left FAILED meanwhile; results in their order. */
export async function retryFailed(tasks: readonly Pick<Task, 'id' | 'version'>[]): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      const task = tasks[index]!;
      results[index] = await retryOne(task.id, task.version);
    }
  };
  await Promise.all(Array.from({ length: Math.min(RETRY_PARALLEL, tasks.length) }, worker));
  return results;
}
