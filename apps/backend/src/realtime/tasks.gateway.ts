import { Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import {
  type ClientToServerEvents,
  type ServerToClientEvents,
  SOCKET_TOO_MANY_CONNECTIONS,
  SOCKET_UNAUTHORIZED,
  SOCKET_UNAVAILABLE,
  TaskEvent,
  type TaskEventName,
  type TaskEventPayloads,
} from '@tasks/schemas';
import type { Namespace, Socket } from 'socket.io';
import { AccessTokenVerifier } from '../auth/access-token.verifier.js';
import { InvalidAccessTokenError } from '../auth/auth.errors.js';
import { AppConfig } from '../config/app-config.js';
import { AuditLog } from '../common/audit/audit.log.js';
import { type DomainEvents, OnDomainEvent } from '../common/events/domain-events.js';
import { Metrics } from '../metrics/metrics.js';
import { traced } from '../tracing/tracing.js';
import { holdMissedPacketsUntilConnected } from './missed-packets.js';
import { boundInMemoryRecoveryBuffer } from './recovery-buffer.js';
import { recoveryBounds } from './socket-io.adapter.js';

/** What a socket carries once admitted; kept in recovery sessions, so plain JSON values only. */
export interface TaskSocketData {
  userId: string;
  tokenId: string;
  /** Epoch milliseconds at which the handshake token expires. */
  expiresAt: number;
}

type InterServerEvents = Record<string, never>;
export type TasksNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, TaskSocketData>;
type TaskSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, TaskSocketData>;

export const userRoom = (userId: string): string => `user:${userId}`;
export const tokenRoom = (tokenId: string): string => `token:${tokenId}`;

/** setTimeout's longest delay; tokens living longer are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Live task events on `/tasks`. A socket is admitted only with a valid access token (the same rules as
 * HTTP) and joins its user's room and its token's room; the gateway delivers the task domain events to
 * the owner's room, and drops sockets whose token was revoked or has expired.
 */
@WebSocketGateway({ namespace: 'tasks' })
export class TasksGateway implements OnGatewayInit<TasksNamespace>, OnGatewayConnection<TaskSocket> {
  @WebSocketServer() private readonly namespace: TasksNamespace | undefined;
  private readonly logger = new Logger(TasksGateway.name);

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly audit: AuditLog,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  afterInit(namespace: TasksNamespace): void {
    boundInMemoryRecoveryBuffer(namespace, recoveryBounds(this.config));
    holdMissedPacketsUntilConnected(namespace);
    this.metrics.observeConnectedSockets(() => this.connectedSockets);
    namespace.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: unknown) => next(this.refusal(error, socket)),
      );
    });
  }

  handleConnection(socket: TaskSocket): void {
    disconnectAt(socket, socket.data.expiresAt);
  }

  /** Sockets connected to this instance (gauges, tests). */
  get connectedSockets(): number {
    return this.namespace?.sockets.size ?? 0;
  }

  @OnDomainEvent('task.created')
  taskCreated({ userId, task, committedAt }: DomainEvents['task.created']): void {
    this.deliver(userId, TaskEvent.Created, task, committedAt);
  }

  @OnDomainEvent('task.updated')
  taskUpdated({ userId, task, committedAt }: DomainEvents['task.updated']): void {
    this.deliver(userId, TaskEvent.Updated, task, committedAt);
  }

  @OnDomainEvent('task.deleted')
  taskDeleted({ userId, task, committedAt }: DomainEvents['task.deleted']): void {
    this.deliver(userId, TaskEvent.Deleted, task, committedAt);
  }

  @OnDomainEvent('auth.token-revoked')
  tokenRevoked({ tokenId }: DomainEvents['auth.token-revoked']): void {
    // Through the adapter, so the token's sockets on every instance go.
    void this.namespace?.in(tokenRoom(tokenId)).disconnectSockets(true);
  }

  /** To the owner's room (every instance, through the adapter); synchronous, inside the service's emit. */
  private deliver<E extends TaskEventName>(userId: string, event: E, payload: TaskEventPayloads[E], committedAt: number): void {
    traced(`socket.io emit ${event}`, { 'messaging.system': 'socket.io', 'messaging.destination.name': '/tasks' }, () =>
      this.namespace?.to(userRoom(userId)).emit(event, ...([payload] as Parameters<ServerToClientEvents[E]>)),
    );
    this.metrics.eventEmitted(event, committedAt);
  }

  /** Runs on every handshake, recovered ones included: a resumed session needs a valid token too. */
  private async admit(socket: TaskSocket): Promise<void> {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token === '') throw new InvalidAccessTokenError('missing');
    const user = await this.verifier.verify(token);
    if (socket.recovered) {
      // A session id only ever resumes its own user's session.
      if (socket.data.userId !== user.id) throw new HandshakeRefusedError('The session belongs to another user.');
      // A client may resume with a newer token; the old one's revocation must not reach it.
      for (const room of socket.rooms) if (room.startsWith('token:')) void socket.leave(room);
    }
    this.assertBelowSocketLimit(socket, user.id);
    socket.data = { userId: user.id, tokenId: user.tokenId, expiresAt: user.tokenExpiresAt.getTime() };
    void socket.join([userRoom(user.id), tokenRoom(user.tokenId)]);
  }

  /**
   * SOCKETS_PER_USER, counted on this instance: the user's room holds their admitted sockets (a
   * recovered socket is in it already). Checked and joined without an await between, so racing
   * handshakes cannot both take the last place.
   */
  private assertBelowSocketLimit(socket: TaskSocket, userId: string): void {
    const room = userRoom(userId);
    const members = this.namespace?.adapter.rooms.get(room);
    const others = (members?.size ?? 0) - (members?.has(socket.id) ? 1 : 0);
    const max = this.config.realtime.socketsPerUser;
    if (others >= max) throw new TooManyConnectionsError(`At most ${max} connections per user are allowed.`);
  }

  private refusal(error: unknown, socket: TaskSocket): Error {
    const cause =
      error instanceof InvalidAccessTokenError
        ? error.reason
        : error instanceof HandshakeRefusedError
          ? 'foreignSession'
          : error instanceof TooManyConnectionsError
            ? 'tooManyConnections'
            : 'unavailable';
    this.audit.write('socket.refused', { cause }, { ip: socket.handshake.address });
    if (error instanceof InvalidAccessTokenError || error instanceof HandshakeRefusedError) {
      return Object.assign(new Error(SOCKET_UNAUTHORIZED), { data: { detail: error.message } });
    }
    if (error instanceof TooManyConnectionsError) {
      return Object.assign(new Error(SOCKET_TOO_MANY_CONNECTIONS), { data: { detail: error.message } });
    }
    this.logger.error(`Socket handshake could not be checked: ${error instanceof Error ? error.message : String(error)}`);
    return Object.assign(new Error(SOCKET_UNAVAILABLE), { data: { detail: 'Try again shortly.' } });
  }
}

/** A handshake refused for a reason other than the token itself; the message is the client's detail. */
class HandshakeRefusedError extends Error {}

class TooManyConnectionsError extends Error {}

/** Disconnects the socket when its token expires; an expired token keeps nothing open. */
function disconnectAt(socket: TaskSocket, at: number): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const remaining = at - Date.now();
    if (remaining <= 0) {
      socket.disconnect(true);
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    timer.unref();
  };
  socket.once('disconnect', () => clearTimeout(timer));
  arm();
}
