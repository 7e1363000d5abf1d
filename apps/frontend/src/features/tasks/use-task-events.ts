import { SOCKET_UNAUTHORIZED, type Task } from '@tasks/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useEffectEvent, useState } from 'react';
import { api } from '../../lib/api/client.js';
import { deletingHere } from './task-mutations.js';
import { taskChanged, taskKeys } from './task-cache.js';

interface TaskEventHandlers {
  /** A task was deleted by another tab or device (never for this tab's own deletes). */
  onDeletedElsewhere(id: string): void;
  onSessionEnded(): void;
}

/**
 * Applies the live Socket.IO events to the query cache: any event may change which tasks a page
 * shows, so lists are re-read; a changed task's copies are replaced at once. Returns whether the
 * feed is connected.
 */
export function useTaskEvents({ onDeletedElsewhere, onSessionEnded }: TaskEventHandlers): boolean {
  const client = useQueryClient();
  const [live, setLive] = useState(false);
  const reloadLists = () => void client.invalidateQueries({ queryKey: taskKeys.lists() });

  const onUpdated = useEffectEvent((task: Task) => taskChanged(client, task));
  const onCreated = useEffectEvent(reloadLists);
  const onDeleted = useEffectEvent((id: string) => {
    reloadLists();
    if (!deletingHere.has(id)) onDeletedElsewhere(id);
  });
  const onError = useEffectEvent((error: Error) => {
    if (error.message === SOCKET_UNAUTHORIZED) onSessionEnded();
  });
  const onReconnect = useEffectEvent(reloadLists);

  useEffect(() => {
    const subscription = api.subscribe();
    subscription.on('task:created', () => onCreated());
    subscription.on('task:updated', (task) => onUpdated(task));
    subscription.on('task:deleted', ({ id }) => onDeleted(id));
    subscription.onError(onError);
    let connectedOnce = false;
    subscription.onConnectionChange((connected) => {
      setLive(connected);
      if (connected && connectedOnce) onReconnect();
      connectedOnce ||= connected;
    });
    return () => subscription.close();
  }, []);

  return live;
}
