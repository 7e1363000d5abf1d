import type { LogEntry, LogPage, Task, TaskList, TaskPriority, TaskSort, TaskStatus } from '@tasks/schemas';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';

/** How the screen's query cache is keyed and changed; no network here (unit-tested in node). */

export interface Filter {
  status: TaskStatus | '';
  priority: TaskPriority | '';
  sort: TaskSort;
  offset: number;
  /** Search words ('' = no search). */
  q: string;
}

/** A page of the list and the offset it was actually read at (past the end, the last page). */
export type ListPage = TaskList & { offset: number };

export const taskKeys = {
  all: ['tasks'] as const,
  lists: () => [...taskKeys.all, 'list'] as const,
  list: (filter: Filter) => [...taskKeys.lists(), filter] as const,
  detail: (id: string) => [...taskKeys.all, 'detail', id] as const,
  logs: (id: string) => [...taskKeys.all, 'logs', id] as const,
  history: (id: string) => [...taskKeys.all, 'history', id] as const,
  stats: () => [...taskKeys.all, 'stats'] as const,
};

/** The newer of two copies of one task (events and responses can arrive in any order). */
export function newer(current: Task | null | undefined, incoming: Task): Task {
  return current !== null && current !== undefined && current.id === incoming.id && current.version > incoming.version ? current : incoming;
}

/** A task changed: its open copy and its list rows show it at once (the caller re-reads the lists). */
export function taskCopiesChanged(client: QueryClient, task: Task): void {
  client.setQueryData<Task>(taskKeys.detail(task.id), (current) => (current === undefined ? undefined : newer(current, task)));
  client.setQueriesData<ListPage>({ queryKey: taskKeys.lists() }, (page) =>
    page && { ...page, items: page.items.map((item) => (item.id === task.id ? newer(item, task) : item)) },
  );
}

/** A task changed (response or event): its open copy and its list rows show it at once, lists re-read. */
export function taskChanged(client: QueryClient, task: Task): void {
  taskCopiesChanged(client, task);
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
