import type { Task } from '@tasks/schemas';
import { QueryClient, keepPreviousData, skipToken, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api/client.js';
import { newer, taskKeys, type Filter, type ListPage } from './task-cache.js';

export const PAGE_SIZE = 10;
export const LOG_PAGE_SIZE = 50;
export const HISTORY_PAGE_SIZE = 20;

/** One cache per signed-in session; the screen re-reads on events, never on its own timer or focus. */
export function createTasksQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}

async function readListPage(filter: Filter): Promise<ListPage> {
  const query = {
    ...(filter.status === '' ? {} : { status: filter.status }),
    ...(filter.priority === '' ? {} : { priority: filter.priority }),
    ...(filter.q.trim() === '' ? {} : { q: filter.q.trim() }),
    sort: filter.sort,
    limit: PAGE_SIZE,
  };
  const page = await api.getTasks({ ...query, offset: filter.offset });
  // After deletions the page may be past the end: step back to the last page.
  if (page.items.length === 0 && page.total > 0 && filter.offset > 0) {
    const offset = Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE;
    return { ...(await api.getTasks({ ...query, offset })), offset };
  }
  return { ...page, offset: filter.offset };
}

export function useTaskList(filter: Filter) {
  return useQuery({ queryKey: taskKeys.list(filter), queryFn: () => readListPage(filter), placeholderData: keepPreviousData });
}

export function useTaskDetail(id: string | null) {
  return useQuery({
    queryKey: taskKeys.detail(id ?? ''),
    queryFn: id === null ? skipToken : () => api.getTaskById(id),
    // A response older than a copy the cache already has (from an event) does not replace it.
    structuralSharing: (current, incoming) => newer(current as Task | undefined, incoming as Task),
  });
}

/**
 * Newest-first pages read by cursor (a task's log or history). A closed task's pages are read
 * afresh, from the newest one, when it is opened again.
 */
function useCursorPages<P extends { nextCursor: string | null }>(
  queryKey: readonly unknown[],
  read: (page: { limit: number; cursor: string | null }) => Promise<P>,
  limit: number,
) {
  return useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => read({ limit, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: P) => last.nextCursor,
    gcTime: 0,
  });
}

export function useTaskLogs(id: string) {
  return useCursorPages(taskKeys.logs(id), (page) => api.listLogs(id, page), LOG_PAGE_SIZE);
}

/** Counts by status for the bar above the list; the sync re-reads them after every change. */
export function useTaskStats() {
  return useQuery({ queryKey: taskKeys.stats(), queryFn: () => api.getTaskStats() });
}

/** A task's history, newest first, page by page; re-read when the sync sees a change of the task. */
export function useTaskHistory(id: string) {
  return useCursorPages(taskKeys.history(id), (page) => api.history(id, page), HISTORY_PAGE_SIZE);
}
