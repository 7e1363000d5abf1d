import type { Task, TaskList } from '@tasks/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api/client.js';
import { bulkRequests, type BulkAction, type ItemResult } from './task-bulk.js';
import { retryFailed } from './task-retry.js';
import { deletingHere } from './task-mutations.js';
import { taskKeys } from './task-cache.js';

const FAILED_PAGE = 100;
/** "Retry all failed" reads at most this many pages of failed tasks (10,000 tasks). */
const FAILED_PAGES_MAX = 100;

/** Every FAILED task, read page by page (keyset) before anything changes them. */
export async function failedTasks(): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < FAILED_PAGES_MAX; page++) {
    // The same filter on every page: it is part of the cursor.
    const result: TaskList = await api.getTasks({ status: 'FAILED', limit: FAILED_PAGE, ...(cursor === null ? {} : { cursor }) });
    tasks.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === null) break;
  }
  return tasks;
}

/** Runs one action over any number of tasks (bulk requests of 100, one after another); results in order. */
export function useBulk() {
  const client = useQueryClient();
  return async (tasks: readonly Pick<Task, 'id' | 'version'>[], action: BulkAction): Promise<ItemResult[]> => {
    const results: ItemResult[] = [];
    const ids = tasks.map((task) => task.id);
    if (action.kind === 'delete') ids.forEach((id) => deletingHere.add(id));
    try {
      if (action.kind === 'retry') results.push(...(await retryFailed(tasks)));
      else for (const body of bulkRequests(ids, action)) results.push(...(await api.bulk(body)).results);
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
