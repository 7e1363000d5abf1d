import { z } from 'zod';
import { uuidSchema } from './common.schema.js';
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

/** Socket.IO's server-to-client event map, shared by the gateway and every client. */
export type ServerToClientEvents = {
  [E in TaskEventName]: (payload: TaskEventPayloads[E]) => void;
};

/** Clients send nothing over the socket; mutations go through REST. */
export type ClientToServerEvents = Record<string, never>;

/** Message of the `connect_error` a refused handshake gets; its `data.detail` says why. */
export const SOCKET_UNAUTHORIZED = 'unauthorized';
/** Message of the `connect_error` when the server could not check the token (e.g. database down): retry later. */
export const SOCKET_UNAVAILABLE = 'unavailable';
/** Message of the `connect_error` when the user already holds SOCKETS_PER_USER sockets. */
export const SOCKET_TOO_MANY_CONNECTIONS = 'too-many-connections';
