import {
  SOCKET_UNAUTHORIZED,
  TASKS_NAMESPACE,
  taskEventSchemas,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type TaskEventName,
  type TaskEventPayloads,
} from '@tasks/schemas';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { ContractDriftError } from './errors.js';

export type TaskEventListener<E extends TaskEventName> = (payload: TaskEventPayloads[E]) => void;

/** A live feed of the signed-in user's task events. */
export interface TaskSubscription {
  on<E extends TaskEventName>(event: E, listener: TaskEventListener<E>): () => void;
  /** Refused handshakes (`unauthorized`), transport failures and payloads that drift from the contract. */
  onError(listener: (error: Error) => void): () => void;
  /** Called with `true` on every (re)connect and `false` on every disconnect. */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
  /** Resolves on the first successful connection; rejects if the handshake is refused. */
  readonly ready: Promise<void>;
  close(): void;
}

export function subscribeToTasks(baseUrl: string, token: string | null): TaskSubscription {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${baseUrl}${TASKS_NAMESPACE}`, {
    auth: { token: token ?? '' },
    transports: ['websocket', 'polling'],
  });
  const errorListeners = new Set<(error: Error) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  const reportError = (error: Error) => {
    if (errorListeners.size === 0) console.error(error);
    for (const listener of errorListeners) listener(error);
  };

  const ready = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.on('connect_error', (error) => {
      // A refused handshake will be refused again: stop retrying and say so.
      if (error.message === SOCKET_UNAUTHORIZED) socket.disconnect();
      reject(error);
      reportError(error);
    });
  });
  // Callers that only use listeners must not see an unhandled rejection.
  ready.catch(() => undefined);
  socket.on('connect', () => connectionListeners.forEach((listener) => listener(true)));
  socket.on('disconnect', () => connectionListeners.forEach((listener) => listener(false)));

  return {
    ready,
    on<E extends TaskEventName>(event: E, listener: TaskEventListener<E>): () => void {
      const schema = taskEventSchemas[event] as z.ZodType<TaskEventPayloads[E]>;
      const handler = (payload: unknown) => {
        const parsed = schema.safeParse(payload);
        if (parsed.success) listener(parsed.data);
        else reportError(new ContractDriftError(`event ${event}`, parsed.error.issues));
      };
      // Socket.IO's typed emitter cannot express "one of three events" generically.
      const untyped = socket as unknown as Socket;
      const name: string = event;
      untyped.on(name, handler);
      return () => void untyped.off(name, handler);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => void errorListeners.delete(listener);
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => void connectionListeners.delete(listener);
    },
    close() {
      socket.disconnect();
    },
  };
}
