import type { AppendLogInput, CreateTaskInput, Task, UpdateTaskInput } from '@tasks/schemas';
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api/client.js';
import { logsReceived, taskChanged, taskKeys } from './task-cache.js';

/**
 * Tasks this tab is deleting: their `task:deleted` event (which can beat the response) is ours,
 * not news from elsewhere. A delete that fails is taken out again, so a later deletion is announced.
 */
export const deletingHere = new Set<string>();

export function useCreateTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTaskInput) => api.createTask(input),
    onSuccess: () => client.invalidateQueries({ queryKey: taskKeys.lists() }),
  });
}

/** Edits and status changes (start, complete, fail, cancel …), conditional on `ifMatch`. */
export function useUpdateTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch, ifMatch }: { id: string; patch: UpdateTaskInput; ifMatch: number }) =>
      api.updateTask(id, patch, { ifMatch }),
    onSuccess: (task) => taskChanged(client, task),
  });
}

export function useDeleteTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.deleteTask(id),
    onMutate: (id) => {
      deletingHere.add(id);
    },
    onError: (_error, id) => {
      deletingHere.delete(id);
    },
    onSuccess: (_result, id) => {
      client.removeQueries({ queryKey: taskKeys.logs(id) });
      return client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

export function useAppendLog(task: Pick<Task, 'id'>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: AppendLogInput) => api.appendLog(task.id, input),
    onSuccess: (entry) => {
      logsReceived(client, task.id, [entry]);
      // The event brings the changed task too; reading it keeps the version right without a socket.
      refreshTask(client, task.id);
    },
  });
}

/** Re-reads one task (after a stale write); failures are left to the next event. */
export function refreshTask(client: QueryClient, id: string): void {
  api.getTaskById(id).then((fresh) => taskChanged(client, fresh), () => undefined);
}
