import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Logger } from 'pino';
import type { Server, ServerOptions } from 'socket.io';
import { SOCKET_UNAUTHORIZED } from '@tasks/schemas';
import { AppConfig } from '../config/app-config.js';
import { RedisService } from '../redis/redis.service.js';
import { redisStreamsAdapter } from './redis-streams.js';
import { SessionStoreAdapter } from './session-store.js';

export const SOCKET_IO_PATH = '/socket.io';
/** Clients send nothing but the handshake, so a small frame limit costs them nothing. */
export const SOCKET_MAX_MESSAGE_BYTES = 16 * 1024;
/** How long a dropped client may take to come back and still receive what it missed. */
export const SOCKET_RECOVERY_WINDOW_MS = 2 * 60 * 1000;

/**
 * Socket.IO on the API's own HTTP server and port. Task events come from the change log on every
 * instance (realtime/change-pumps.ts); with REDIS_URL the instances share cluster commands (token
 * revocations) and recovery sessions through Redis, without it the sessions are kept in memory.
 */
export class SocketIoAdapter extends IoAdapter {
  private readonly config: AppConfig;
  private readonly redis: RedisService;

  constructor(
    app: INestApplicationContext,
    private readonly log: Logger,
  ) {
    super(app);
    this.config = app.get(AppConfig);
    this.redis = app.get(RedisService);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.config.corsOrigins;
    const redisClient = this.redis.client;
    const server: Server = super.createIOServer(port, {
      ...(options as ServerOptions),
      path: SOCKET_IO_PATH,
      serveClient: false,
      maxHttpBufferSize: SOCKET_MAX_MESSAGE_BYTES,
      // A connection that never joins a namespace is dropped after this.
      connectTimeout: 10_000,
      cors: origins.length > 0 ? { origin: origins.includes('*') ? true : [...origins], credentials: false } : undefined,
      // Middlewares run on recovery too, so a revoked or expired token cannot resume a session.
      connectionStateRecovery: { maxDisconnectionDuration: SOCKET_RECOVERY_WINDOW_MS, skipMiddlewares: false },
      adapter: redisClient
        ? redisStreamsAdapter(redisClient, {
            keyPrefix: this.config.socketIoKeyPrefix,
            onError: (error) => this.log.warn({ err: error }, 'Socket.IO Redis command failed'),
            recoveryWindowMs: SOCKET_RECOVERY_WINDOW_MS,
          })
        : SessionStoreAdapter,
    });
    // Only namespaces that authenticate are open; the main namespace refuses everyone.
    server.of('/').use((_socket, next) => next(new Error(SOCKET_UNAUTHORIZED)));
    return server;
  }

  /**
   * Nest builds a disconnect stream per socket for its message handlers even when a gateway has
   * none; the tasks gateway takes no messages, so a socket keeps none of those objects.
   */
  override bindMessageHandlers(...args: Parameters<IoAdapter['bindMessageHandlers']>): void {
    if (args[1].length > 0) super.bindMessageHandlers(...args);
  }
}
