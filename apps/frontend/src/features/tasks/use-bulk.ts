import type { BulkResult, TaskList } from '@tasks/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api/client.js';
import { bulkRequests, type BulkAction } from './task-bulk.js';
import { deletingHere } from './task-mutations.js';
import { taskKeys } from './task-cache.js';

const FAILED_PAGE = 100;
/** "Retry all failed" reads at most this many pages of failed tasks (10,000 tasks). */
const FAILED_PAGES_MAX = 100;

/** Ids of every FAILED task, read page by page (keyset) before anything changes them. */
export async function failedTaskIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < FAILED_PAGES_MAX; page++) {
    // The same filter on every page: it is part of the cursor.
    const result: TaskList = await api.getTasks({ status: 'FAILED', limit: FAILED_PAGE, ...(cursor === null ? {} : { cursor }) });
    ids.push(...result.items.map((task) => task.id));
    cursor = result.nextCursor;
    if (cursor === null) break;
  }
  return ids;
}

/** Runs one bulk action over any number of ids (requests of 100, one after another); results in order. */
export function useBulk() {
  const client = useQueryClient();
  return async (ids: readonly string[], action: BulkAction): Promise<BulkResult[]> => {
    const results: BulkResult[] = [];
    if (action.kind === 'delete') ids.forEach((id) => deletingHere.add(id));
    try {
      for (const body of bulkRequests(ids, action)) results.push(...(await api.bulk(body)).results);
    } finally {
      if (action.kind === 'delete') {
        const deleted = new Set(results.filter((result) => result.status === 204).map((result) => result.id));
        ids.forEach((id) => deleted.has(id) || deletingHere.delete(id));
      }
      void client.invalidateQueries({ queryKey: taskKeys.lists() });
      void client.invalidateQueries({ queryKey: taskKeys.stats() });
    }
    return results;
  };
}
