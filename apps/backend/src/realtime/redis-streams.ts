import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { Namespace, ServerOptions } from 'socket.io';
import { NotRecoveredError, resumed } from './session-store.js';

/** Commands the adapter sends without awaiting; a rejection of one would be unhandled and end the process. */
const FIRE_AND_FORGET = new Set<PropertyKey>(['set', 'publish', 'spublish', 'subscribe', 'ssubscribe']);

/**
 * The adapter's view of a client: fire-and-forget commands have their failures reported instead of
 * left unhandled (persisting a session while Redis is down must not crash the process), and the
 * connections it duplicates for XREAD and SUBSCRIBE wait for Redis to come back instead of failing
 * after one retry, so delivery resumes on its own.
 */
function guarded(client: Redis, onError: (error: unknown) => void): Redis {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'duplicate') {
        return () => {
          const duplicate = target.duplicate({ maxRetriesPerRequest: null });
          duplicate.on('error', () => undefined); // The shared client already logs the outage.
          return guarded(duplicate, onError);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!FIRE_AND_FORGET.has(property)) return value.bind(target) as unknown;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) result.catch(onError);
        return result;
      };
    },
  });
}

export interface RedisStreamsOptions {
  /** Prefix of the stream, the session keys and the pub/sub channels. */
  keyPrefix: string;
  onError: (error: unknown) => void;
  /** How long a session is kept for its client to come back. */
  recoveryWindowMs: number;
}

/** The stream carries only cluster commands (disconnects, fetches): task events are read from the change log. */
const STREAM_MAX_LEN = 1_000;

/**
 * Sessions are kept as JSON for the recovery window and resumed on any instance without a replay:
 * the gateway pumps what the socket missed from the change log (the adapter's own replay would read
 * the stream, which holds no task events).
 */
function sessionsOnly(adapter: Namespace['adapter'], client: Redis, options: RedisStreamsOptions): void {
  const sessionKey = (pid: string) => `${options.keyPrefix}:session:${pid}`;

  adapter.persistSession = (session) => {
    client.set(sessionKey(session.pid), JSON.stringify(session), 'PX', options.recoveryWindowMs).catch(options.onError);
  };

  adapter.restoreSession = async (pid) => {
    const raw = await client.getdel(sessionKey(pid));
    if (!raw) throw new NotRecoveredError('session not found');
    return resumed(JSON.parse(raw) as Parameters<typeof resumed>[0]);
  };
}

/**
 * `@socket.io/redis-streams-adapter` on the shared client: broadcasts go through one Redis stream,
 * so every instance applies them (token revocations), and recovery sessions are shared.
 */
export function redisStreamsAdapter(client: Redis, options: RedisStreamsOptions): ServerOptions['adapter'] {
  const { keyPrefix, onError } = options;
  const create = createAdapter(guarded(client, onError), {
    streamName: `${keyPrefix}:stream`,
    sessionKeyPrefix: `${keyPrefix}:session:`,
    channelPrefix: `${keyPrefix}:channel`,
    // Events are JSON (the REST representation): skip the per-message binary scan.
    onlyPlaintext: true,
    // A short block lets a closing instance release its XREAD connection quickly.
    blockTimeInMs: 2_000,
    maxLen: STREAM_MAX_LEN,
  });
  // Socket.IO calls `new adapter(nsp)`: a plain function returning an object works with `new`.
  return function boundedAdapter(nsp: Namespace) {
    const adapter = create(nsp);
    sessionsOnly(adapter, client, options);
    return adapter;
  };
}
