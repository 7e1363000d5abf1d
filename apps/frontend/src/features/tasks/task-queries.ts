import type { LogEntry, LogPage, Task, TaskList, TaskPriority, TaskSort, TaskStatus } from '@tasks/schemas';
import {
  QueryClient,
  keepPreviousData,
  skipToken,
  useInfiniteQuery,
  useQuery,
  type InfiniteData,
} from '@tanstack/react-query';
import { api } from '../../lib/api/client.js';

export const PAGE_SIZE = 10;
export const LOG_PAGE_SIZE = 50;

export interface Filter {
  status: TaskStatus | '';
  priority: TaskPriority | '';
  sort: TaskSort;
  offset: number;
}

/** A page of the list and the offset it was actually read at (past the end, the last page). */
export type ListPage = TaskList & { offset: number };

export const taskKeys = {
  all: ['tasks'] as const,
  lists: () => [...taskKeys.all, 'list'] as const,
  list: (filter: Filter) => [...taskKeys.lists(), filter] as const,
  detail: (id: string) => [...taskKeys.all, 'detail', id] as const,
  logs: (id: string) => [...taskKeys.all, 'logs', id] as const,
};

/** One cache per signed-in session; the screen re-reads on events, never on its own timer or focus. */
export function createTasksQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}

/** The newer of two copies of one task (events and responses can arrive in any order). */
export function newer(current: Task | null | undefined, incoming: Task): Task {
  return current !== null && current !== undefined && current.id === incoming.id && current.version > incoming.version ? current : incoming;
}

async function readListPage(filter: Filter): Promise<ListPage> {
  const query = {
    ...(filter.status === '' ? {} : { status: filter.status }),
    ...(filter.priority === '' ? {} : { priority: filter.priority }),
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

export function useTaskLogs(id: string) {
  return useInfiniteQuery({
    queryKey: taskKeys.logs(id),
    queryFn: ({ pageParam }) => api.listLogs(id, { limit: LOG_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: LogPage) => last.nextCursor,
    // A closed task's log is read afresh, from its newest page, when the task is opened again.
    gcTime: 0,
  });
}

/** A task changed (response or event): its open copy and its list rows show it at once, lists re-read. */
export function taskChanged(client: QueryClient, task: Task): void {
  client.setQueryData<Task>(taskKeys.detail(task.id), (current) => (current === undefined ? undefined : newer(current, task)));
  client.setQueriesData<ListPage>({ queryKey: taskKeys.lists() }, (page) =>
    page && { ...page, items: page.items.map((item) => (item.id === task.id ? newer(item, task) : item)) },
  );
  void client.invalidateQueries({ queryKey: taskKeys.lists() });
}

/** Each entry once, in order: `incoming` before `known` (both newest first). */
function mergeNewest(incoming: readonly LogEntry[], known: readonly LogEntry[]): LogEntry[] {
  const ids = new Set(incoming.map((entry) => entry.id));
  return [...incoming, ...known.filter((entry) => !ids.has(entry.id))];
}

/** Puts newer entries on top of the loaded log, keeping its paging. */
export function logsReceived(client: QueryClient, id: string, entries: readonly LogEntry[], cap?: number): void {
  client.setQueryData<InfiniteData<LogPage, string | null>>(taskKeys.logs(id), (data) => {
    const [first, ...rest] = data?.pages ?? [];
    if (data === undefined || first === undefined) return data;
    const items = mergeNewest(entries, first.items);
    return { ...data, pages: [{ ...first, items: cap === undefined ? items : items.slice(0, cap) }, ...rest] };
  });
}

/** All loaded entries, newest first, each once (pages read at different times may overlap). */
export function loadedEntries(data: InfiniteData<LogPage> | undefined): LogEntry[] {
  const seen = new Set<string>();
  return (data?.pages ?? []).flatMap((page) => page.items).filter((entry) => !seen.has(entry.id) && seen.add(entry.id) !== undefined);
}
