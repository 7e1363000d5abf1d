import { z } from 'zod';
import { isoDateTimeSchema, uuidSchema } from './common.schema.js';
import { taskSchema, type Task } from './task.schema.js';

/** Socket.IO namespace of task events. */
export const TASKS_NAMESPACE = '/tasks';

export const TaskEvent = {
  Created: 'task:created',
  Updated: 'task:updated',
  Deleted: 'task:deleted',
} as const;
export type TaskEventName = (typeof TaskEvent)[keyof typeof TaskEvent];

export const taskDeletedPayloadSchema = z.strictObject({ id: uuidSchema });
export type TaskDeletedPayload = z.infer<typeof taskDeletedPayloadSchema>;

/** Payload schema of each event, for clients that validate what they receive. */
export const taskEventSchemas = {
  [TaskEvent.Created]: taskSchema,
  [TaskEvent.Updated]: taskSchema,
  [TaskEvent.Deleted]: taskDeletedPayloadSchema,
} as const;

export interface TaskEventPayloads {
  'task:created': Task;
  'task:updated': Task;
  'task:deleted': TaskDeletedPayload;
}

/** The second argument of every task event: its change's position in the owner's feed and time. */
export const taskEventMetaSchema = z.strictObject({ cursor: z.string(), at: isoDateTimeSchema });
export type TaskEventMeta = z.infer<typeof taskEventMetaSchema>;

/** Sent before the live events when the handshake's `since` is past CHANGES_RETENTION: list again. */
export const TASKS_RESYNC = 'tasks:resync';
export const tasksResyncSchema = z.strictObject({ reason: z.literal('cursor-expired') });
export type TasksResync = z.infer<typeof tasksResyncSchema>;

/**
 * Socket.IO's server-to-client event map, shared by the gateway and every client. With
 * connection-state recovery, Socket.IO clients also get the event's cursor as a last string
 * argument (the offset they resume from); listeners may ignore it.
 */
export type ServerToClientEvents = {
  [E in TaskEventName]: (payload: TaskEventPayloads[E], meta: TaskEventMeta) => void;
} & {
  [TASKS_RESYNC]: (payload: TasksResync) => void;
};

/**
 * What a client sends in `io(url, { auth })`: the access token and, to resume, the cursor of the
 * last change it has (an event's `meta.cursor`, or the feed's / the list's `changesCursor`).
 */
export interface TasksHandshakeAuth {
  token: string;
  since?: string;
}

/** Clients send nothing over the socket; mutations go through REST. */
export type ClientToServerEvents = Record<string, never>;

/** Message of the `connect_error` a refused handshake gets; its `data.detail` says why. */
export const SOCKET_UNAUTHORIZED = 'unauthorized';
/** Message of the `connect_error` when the server could not check the token (e.g. database down): retry later. */
export const SOCKET_UNAVAILABLE = 'unavailable';
/** Message of the `connect_error` when the user already holds SOCKETS_PER_USER sockets. */
export const SOCKET_TOO_MANY_CONNECTIONS = 'too-many-connections';
/** Message of the `connect_error` when the handshake's `since` is not a cursor of the user's feed. */
export const SOCKET_INVALID_CURSOR = 'invalid-cursor';
