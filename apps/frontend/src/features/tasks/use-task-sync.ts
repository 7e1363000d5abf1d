import { SOCKET_UNAUTHORIZED } from '@tasks/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { api } from '../../lib/api/client.js';
import { syncTasks, type SyncChange } from '../../lib/api/contract-client.js';
import { deletingHere } from './task-mutations.js';
import { taskCopiesChanged, taskKeys } from './task-cache.js';

const REREAD_DELAY_MS = 50;

interface TaskSyncHandlers {
  /** A task was deleted by another tab or device (never for this tab's own deletes). */
  onDeletedElsewhere(id: string): void;
  onSessionEnded(): void;
}

export interface SyncStatus {
  live: boolean;
  /** Set after a reconnect or resync: how many changes were caught up on. */
  caughtUp: { changes: number; relisted: boolean; at: number } | null;
}

/**
 * Follows the user's changes with the contract client's sync helper (socket with a cursor, change
 * feed after any gap) and feeds the query cache: a changed task's copies are replaced at once; the
 * lists, counts and that task's history are re-read. The screen's lists stay server-paged (filters,
 * search, sort), so the sync only reads the first list page for its cursor.
 */
export function useTaskSync({ onDeletedElsewhere, onSessionEnded }: TaskSyncHandlers): SyncStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<SyncStatus>({ live: false, caughtUp: null });
  // Re-reads wait for a burst of changes (a bulk action, a catch-up) to end: one request each, not one per change.
  const reread = useRef<{ timer: ReturnType<typeof setTimeout> | null; history: Set<string> }>({ timer: null, history: new Set() });

  const flush = useEffectEvent(() => {
    const { history } = reread.current;
    reread.current = { timer: null, history: new Set() };
    void client.invalidateQueries({ queryKey: taskKeys.lists() });
    void client.invalidateQueries({ queryKey: taskKeys.stats() });
    for (const id of history) void client.invalidateQueries({ queryKey: taskKeys.history(id) });
  });

  const onChanges = useEffectEvent((changes: readonly SyncChange[]) => {
    for (const change of changes) {
      if (change.task !== null) taskCopiesChanged(client, change.task);
      else if (!deletingHere.has(change.taskId)) onDeletedElsewhere(change.taskId);
      reread.current.history.add(change.taskId);
    }
    reread.current.timer ??= setTimeout(flush, REREAD_DELAY_MS);
  });
  const onError = useEffectEvent((error: Error) => {
    if (error.message === SOCKET_UNAUTHORIZED || (error as { status?: number }).status === 401) onSessionEnded();
  });

  useEffect(() => {
    const sync = syncTasks({ client: api, baseUrl: window.location.origin, listPages: 1 });
    const stop = sync.subscribe((event) => {
      if (event.type === 'changes') onChanges(event.changes);
      else if (event.type === 'connection') setStatus((current) => ({ ...current, live: event.connected }));
      else if (event.type === 'error') onError(event.error);
      else {
        setStatus((current) => ({ ...current, caughtUp: { changes: event.changes, relisted: event.relisted, at: Date.now() } }));
        // A fresh list replaces what the events said: every cached read may be out of date.
        if (event.relisted) void client.invalidateQueries({ queryKey: taskKeys.all });
      }
    });
    return () => {
      stop();
      sync.close();
      if (reread.current.timer !== null) clearTimeout(reread.current.timer);
    };
  }, [client]);

  return status;
}
