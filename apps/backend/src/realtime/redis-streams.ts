import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';

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
}

/**
 * `@socket.io/redis-streams-adapter` on the shared client: broadcasts go through one Redis stream,
 * so every instance delivers them and a client recovering on any instance finds what it missed.
 */
export function redisStreamsAdapter(client: Redis, { keyPrefix, onError }: RedisStreamsOptions): ServerOptions['adapter'] {
  return createAdapter(guarded(client, onError), {
    streamName: `${keyPrefix}:stream`,
    sessionKeyPrefix: `${keyPrefix}:session:`,
    channelPrefix: `${keyPrefix}:channel`,
    // Events are JSON (the REST representation): skip the per-message binary scan.
    onlyPlaintext: true,
    // A short block lets a closing instance release its XREAD connection quickly.
    blockTimeInMs: 2_000,
  }) as ServerOptions['adapter'];
}
