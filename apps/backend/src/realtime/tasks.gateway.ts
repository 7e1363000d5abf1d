import { Logger } from '@nestjs/common';
import { type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import {
  CHANGE_CURSOR_MAX_LENGTH,
  SOCKET_INVALID_CURSOR,
  SOCKET_TOO_MANY_CONNECTIONS,
  SOCKET_UNAUTHORIZED,
  SOCKET_UNAVAILABLE,
  TaskEvent,
  TASKS_RESYNC,
} from '@tasks/schemas';
import { AccessTokenVerifier } from '../auth/access-token.verifier.js';
import type { AuthUser } from '../auth/auth-user.js';
import { InvalidAccessTokenError } from '../auth/auth.errors.js';
import { ChangeCursorExpiredError, InvalidChangeCursorError } from '../changes/changes.errors.js';
import { ChangesService } from '../changes/changes.service.js';
import { AppConfig } from '../config/app-config.js';
import { AuditLog } from '../common/audit/audit.log.js';
import { type DomainEvents, type Emitted, OnDomainEvent } from '../common/events/domain-events.js';
import { Metrics } from '../metrics/metrics.js';
import { ChangePumps } from './change-pumps.js';
import { SocketSlots } from './socket-slots.js';
import type { TaskSocket, TasksNamespace } from './task-socket.js';

export type { TaskSocketData, TasksNamespace } from './task-socket.js';

export const userRoom = (userId: string): string => `user:${userId}`;
export const tokenRoom = (tokenId: string): string => `token:${tokenId}`;

/** setTimeout's longest delay; tokens living longer are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where an admitted socket starts in its user's feed. */
interface StartPosition {
  lastSeq: number;
  liveFrom: number;
  /** `since` had expired: the socket gets `tasks:resync` before the live events. */
  resync: boolean;
}

/**
 * Live task events on `/tasks`. A socket is admitted only with a valid access token (the same rules as
 * HTTP) and joins its user's room and its token's room. Its position in the user's change feed is
 * set at admission (the handshake's `since`, a recovered session's last event, or else the head), and
 * the change pumps send it every change after that position (change-pumps.ts). Sockets whose token
 * was revoked or has expired are dropped.
 */
@WebSocketGateway({ namespace: 'tasks' })
export class TasksGateway
  implements OnGatewayInit<TasksNamespace>, OnGatewayConnection<TaskSocket>, OnGatewayDisconnect<TaskSocket>
{
  @WebSocketServer() private readonly namespace: TasksNamespace | undefined;
  private readonly logger = new Logger(TasksGateway.name);
  private readonly pendingResync = new WeakSet<TaskSocket>();

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly audit: AuditLog,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
    private readonly changes: ChangesService,
    private readonly pumps: ChangePumps,
    private readonly slots: SocketSlots,
  ) {}

  afterInit(namespace: TasksNamespace): void {
    this.pumps.attach(namespace);
    this.metrics.observeConnectedSockets(() => this.connectedSockets);
    this.slots.attach(namespace);
    namespace.use((socket, next) => {
      this.admit(socket).then(
        () => {
          next();
          // Queued after Socket.IO's own tick: a client gone during the handshake never connects.
          process.nextTick(() => {
            if (!socket.connected) this.slots.release(socket.data.userId, socket.id);
          });
        },
        (error: unknown) => next(this.refusal(error, socket)),
      );
    });
  }

  /** Runs synchronously after the CONNECT packet: `tasks:resync` first, then the pump's events. */
  handleConnection(socket: TaskSocket): void {
    disconnectAt(socket, socket.data.expiresAt);
    if (this.pendingResync.has(socket)) {
      this.pendingResync.delete(socket);
      // Local: with Redis, `socket.emit` would go through the cluster channel.
      this.namespace?.local.to(socket.id).emit(TASKS_RESYNC, { reason: 'cursor-expired' });
    }
    this.pumps.add(socket);
  }

  handleDisconnect(socket: TaskSocket): void {
    this.pumps.remove(socket);
    this.slots.release(socket.data.userId, socket.id);
  }

  /** Sockets connected to this instance (gauges, tests). */
  get connectedSockets(): number {
    return this.namespace?.sockets.size ?? 0;
  }

  // A commit of this instance goes to the owner's pump at once, to be emitted inside the writer's trace.
  @OnDomainEvent('task.created')
  taskCreated({ userId, seq, at, task, trace }: Emitted<'task.created'>): void {
    this.pumps.committed(userId, { seq, at, type: TaskEvent.Created, payload: task }, trace);
  }

  @OnDomainEvent('task.updated')
  taskUpdated({ userId, seq, at, task, trace }: Emitted<'task.updated'>): void {
    this.pumps.committed(userId, { seq, at, type: TaskEvent.Updated, payload: task }, trace);
  }

  @OnDomainEvent('task.deleted')
  taskDeleted({ userId, seq, at, task, trace }: Emitted<'task.deleted'>): void {
    this.pumps.committed(userId, { seq, at, type: TaskEvent.Deleted, payload: task }, trace);
  }

  @OnDomainEvent('auth.token-revoked')
  tokenRevoked({ tokenId }: DomainEvents['auth.token-revoked']): void {
    // Through the adapter, so the token's sockets on every instance go.
    void this.namespace?.in(tokenRoom(tokenId)).disconnectSockets(true);
  }

  /** Runs on every handshake, recovered ones included: a resumed session needs a valid token too. */
  private async admit(socket: TaskSocket): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const token = auth.token;
    if (typeof token !== 'string' || token === '') throw new InvalidAccessTokenError('missing');
    const user = await this.verifier.verify(token);
    if (socket.recovered) {
      // A session id only ever resumes its own user's session.
      if (socket.data.userId !== user.id) throw new HandshakeRefusedError('The session belongs to another user.');
      // A client may resume with a newer token; the old one's revocation must not reach it.
      for (const room of socket.rooms) if (room.startsWith('token:')) void socket.leave(room);
    }
    const start = await this.startPosition(socket, user, auth);
    const shared = await this.slots.acquire(user.id, socket.id);
    if (shared === 'full') throw this.tooManyConnections();
    // Checked and joined without an await between, so racing handshakes cannot both take the last place.
    if (!this.belowLocalSocketLimit(socket, user.id)) {
      if (shared === 'admitted') this.slots.release(user.id, socket.id);
      throw this.tooManyConnections();
    }
    socket.data = {
      userId: user.id,
      tokenId: user.tokenId,
      expiresAt: user.tokenExpiresAt.getTime(),
      lastSeq: start.lastSeq,
      liveFrom: start.liveFrom,
    };
    if (start.resync) this.pendingResync.add(socket);
    void socket.join([userRoom(user.id), tokenRoom(user.tokenId)]);
  }

  /**
   * `since` when sent (checked like the feed's: another user's, malformed or future → invalid-cursor;
   * expired → resync from the head); else a recovered session's offset, the cursor of the last event
   * its client received (bounded by what was sent to it); else the head read now, so a change
   * committed after the handshake is never missed.
   */
  private async startPosition(socket: TaskSocket, user: AuthUser, auth: Record<string, unknown>): Promise<StartPosition> {
    const head = async (): Promise<number> => (await this.changes.heads([user.id])).get(user.id) ?? 0;
    if (auth.since !== undefined) {
      if (typeof auth.since !== 'string' || auth.since.length > CHANGE_CURSOR_MAX_LENGTH) throw new InvalidCursorError();
      try {
        const since = this.changes.decodeSince(user, auth.since);
        const { head: current } = await this.changes.changesAfter(user, since, 0);
        return { lastSeq: since, liveFrom: current, resync: false };
      } catch (error) {
        if (error instanceof InvalidChangeCursorError) throw new InvalidCursorError();
        if (!(error instanceof ChangeCursorExpiredError)) throw error;
        const current = await head();
        return { lastSeq: current, liveFrom: current, resync: true };
      }
    }
    const current = await head();
    if (socket.recovered) {
      // A session saved before sockets tracked their seq resumes from now.
      const saved = typeof socket.data.lastSeq === 'number' ? socket.data.lastSeq : current;
      const sent = Math.min(saved, current);
      const offset = typeof auth.offset === 'string' ? this.receivedUpTo(user, auth.offset) : null;
      return { lastSeq: offset === null ? sent : Math.min(offset, sent), liveFrom: current, resync: false };
    }
    return { lastSeq: current, liveFrom: current, resync: false };
  }

  private receivedUpTo(user: AuthUser, offset: string): number | null {
    try {
      return offset.length > CHANGE_CURSOR_MAX_LENGTH ? null : this.changes.decodeSince(user, offset);
    } catch {
      return null;
    }
  }

  /**
   * SOCKETS_PER_USER on this instance: the user's room holds their admitted sockets here (a recovered
   * socket is in it already). The whole count when Redis is absent or down (socket-slots.ts); with
   * Redis, a guard in case Redis lost the places it held.
   */
  private belowLocalSocketLimit(socket: TaskSocket, userId: string): boolean {
    const members = this.namespace?.adapter.rooms.get(userRoom(userId));
    const others = (members?.size ?? 0) - (members?.has(socket.id) ? 1 : 0);
    return others < this.config.realtime.socketsPerUser;
  }

  private tooManyConnections(): TooManyConnectionsError {
    return new TooManyConnectionsError(`At most ${this.config.realtime.socketsPerUser} connections per user are allowed.`);
  }

  private refusal(error: unknown, socket: TaskSocket): Error {
    const cause =
      error instanceof InvalidAccessTokenError
        ? error.reason
        : error instanceof HandshakeRefusedError
          ? 'foreignSession'
          : error instanceof TooManyConnectionsError
            ? 'tooManyConnections'
            : error instanceof InvalidCursorError
              ? 'invalidCursor'
              : 'unavailable';
    this.audit.write('socket.refused', { cause }, { ip: socket.handshake.address });
    if (error instanceof InvalidAccessTokenError || error instanceof HandshakeRefusedError) {
      return Object.assign(new Error(SOCKET_UNAUTHORIZED), { data: { detail: error.message } });
    }
    if (error instanceof TooManyConnectionsError) {
      return Object.assign(new Error(SOCKET_TOO_MANY_CONNECTIONS), { data: { detail: error.message } });
    }
    if (error instanceof InvalidCursorError) {
      return Object.assign(new Error(SOCKET_INVALID_CURSOR), { data: { detail: error.message } });
    }
    this.logger.error(`Socket handshake could not be checked: ${error instanceof Error ? error.message : String(error)}`);
    return Object.assign(new Error(SOCKET_UNAVAILABLE), { data: { detail: 'Try again shortly.' } });
  }
}

/** A handshake refused for a reason other than the token itself; the message is the client's detail. */
class HandshakeRefusedError extends Error {}

class TooManyConnectionsError extends Error {}

class InvalidCursorError extends Error {
  constructor() {
    super('`since` is not a cursor of your change feed.');
  }
}

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
