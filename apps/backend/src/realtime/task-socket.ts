import type { ClientToServerEvents, ServerToClientEvents } from '@tasks/schemas';
import type { Namespace, Socket } from 'socket.io';

/** What a socket carries once admitted; kept in recovery sessions, so plain JSON values only. */
export interface TaskSocketData {
  userId: string;
  tokenId: string;
  /** Epoch milliseconds at which the handshake token expires. */
  expiresAt: number;
  /** Seq of the last change emitted to this socket: the pump sends it the ones after. */
  lastSeq: number;
  /** The user's newest seq when the socket was admitted: changes after it are live, not replayed. */
  liveFrom: number;
}

type InterServerEvents = Record<string, never>;
export type TasksNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, TaskSocketData>;
export type TaskSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, TaskSocketData>;
