import { TASKS_RESYNC, type ServerToClientEvents, type TaskEventMeta, type TaskEventName, type TaskEventPayloads } from '@tasks/schemas';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

export type TasksClient = Socket<ServerToClientEvents, Record<string, never>>;

export interface ReceivedEvent<E extends TaskEventName = TaskEventName> {
  event: E;
  payload: TaskEventPayloads[E];
}

const EVENTS: TaskEventName[] = ['task:created', 'task:updated', 'task:deleted'];

/** A real socket.io-client on `/tasks`, not yet connected; `auth` as a browser would send it. */
export function tasksClient(baseUrl: string, token: string | undefined, options: Partial<ManagerOptions & SocketOptions> = {}): TasksClient {
  return io(`${baseUrl}/tasks`, {
    path: '/socket.io',
    auth: token === undefined ? {} : { token },
    autoConnect: false,
    reconnection: false,
    forceNew: true,
    transports: ['websocket'],
    ...options,
  });
}

/** Connects and resolves once admitted; rejects with the connect_error otherwise. */
export function connect(socket: TasksClient): Promise<TasksClient> {
  return new Promise((resolve, reject) => {
    const onConnect = () => {
      socket.off('connect_error', onError);
      resolve(socket);
    };
    const onError = (error: Error) => {
      socket.off('connect', onConnect);
      reject(error);
    };
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
    socket.connect();
  });
}

/** Connects a client for `token` and resolves once admitted. */
export function connected(baseUrl: string, token: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<TasksClient> {
  return connect(tasksClient(baseUrl, token, options));
}

/** The connect_error a handshake ends with (fails the test if it connects instead). */
export async function refusal(socket: TasksClient): Promise<Error & { data?: { detail?: string } }> {
  try {
    await connect(socket);
  } catch (error) {
    return error as Error & { data?: { detail?: string } };
  } finally {
    socket.disconnect();
  }
  throw new Error('handshake was admitted');
}

/** Every task event a socket receives, in arrival order. */
export class EventLog {
  readonly events: ReceivedEvent[] = [];
  /** Each event's second argument, index for index with `events`. */
  readonly metas: TaskEventMeta[] = [];
  /** Every event name received, `tasks:resync` included, in arrival order. */
  readonly order: string[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(socket: TasksClient) {
    socket.on(TASKS_RESYNC, () => this.order.push(TASKS_RESYNC));
    for (const event of EVENTS) {
      socket.on(event, (payload: TaskEventPayloads[typeof event], meta: TaskEventMeta) => {
        this.events.push({ event, payload });
        this.metas.push(meta);
        this.order.push(event);
        this.waiters = this.waiters.filter((waiter) => {
          if (this.events.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      });
    }
  }

  /** Resolves once `count` events have arrived (or rejects after `timeoutMs`). */
  until(count: number, timeoutMs = 10_000): Promise<ReceivedEvent[]> {
    if (this.events.length >= count) return Promise.resolve(this.events);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} events, got ${this.events.length}: ${this.names().join(', ')}`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.events);
        },
      });
    });
  }

  /** The cursor of the last event received (to resume from). */
  lastCursor(): string {
    const meta = this.metas.at(-1);
    if (!meta) throw new Error('no event received yet');
    return meta.cursor;
  }

  names(): string[] {
    return this.events.map((e) => e.event);
  }
}

/** Resolves when the socket is disconnected, with the reason. */
export function disconnection(socket: TasksClient, timeoutMs = 10_000): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket still connected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
