import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { Namespace, ServerOptions } from 'socket.io';
import type { RecoveryBounds } from './recovery-buffer.js';

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
  /** The stream keeps about `maxEvents` entries; one recovery reads at most that many and `maxBytes`. */
  bounds: RecoveryBounds;
  /** How long a session is kept for its client to come back. */
  recoveryWindowMs: number;
}

/** Entries read per XRANGE while replaying: each is one event (at most 64 KiB), so a read stays small. */
const REPLAY_CHUNK = 50;
/** socket.io-adapter's MessageType.BROADCAST, as the adapter writes it into the stream. */
const BROADCAST = '3';

interface PersistedSession {
  sid: string;
  pid: string;
  rooms: string[];
  data: unknown;
  missedPackets: unknown[][];
}

interface StreamBroadcast {
  packet: { data: unknown[] };
  opts: { rooms: string[]; except: string[] };
}

/** The session cannot be resumed (gone, or its replay past the bounds): the client reconnects without recovery and reloads. */
class NotRecoveredError extends Error {}

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/**
 * Replaces the adapter's session persistence and replay. Its replay reads the whole stream after the
 * offset in one XRANGE without COUNT (an unbounded read: hundreds of MB once events were large); this
 * one reads in chunks and gives up ("not recovered") past `bounds`. Sessions are stored as JSON.
 */
function boundReplay(adapter: Namespace['adapter'], nsp: string, client: Redis, options: RedisStreamsOptions): void {
  const stream = `${options.keyPrefix}:stream`;
  const sessionKey = (pid: string) => `${options.keyPrefix}:session:${pid}`;
  const { maxEvents, maxBytes } = options.bounds;

  adapter.persistSession = (session) => {
    client.set(sessionKey(session.pid), JSON.stringify(session), 'PX', options.recoveryWindowMs).catch(options.onError);
  };

  adapter.restoreSession = async (pid, offset) => {
    if (!/^\d+-\d+$/.test(offset)) throw new NotRecoveredError('invalid offset');
    const [raw, found] = await Promise.all([client.getdel(sessionKey(pid)), client.xrange(stream, offset, offset)]);
    if (!raw || found.length === 0) throw new NotRecoveredError('session or offset not found');
    const session = JSON.parse(raw) as PersistedSession;
    session.missedPackets = [];
    let from = offset;
    let events = 0;
    let bytes = 0;
    for (;;) {
      const entries = await client.xrange(stream, `(${from}`, '+', 'COUNT', REPLAY_CHUNK);
      for (const [id, flat] of entries) {
        const fields = fieldsOf(flat);
        events++;
        bytes += Buffer.byteLength(fields.data ?? '');
        if (events > maxEvents || bytes > maxBytes) throw new NotRecoveredError('missed more than the recovery bounds');
        if (fields.nsp === nsp && fields.type === BROADCAST && fields.data) {
          const { packet, opts } = JSON.parse(fields.data) as StreamBroadcast;
          const included = opts.rooms.length === 0 || session.rooms.some((room) => opts.rooms.includes(room));
          if (included && session.rooms.every((room) => !opts.except.includes(room))) {
            packet.data.push(id);
            session.missedPackets.push(packet.data);
          }
        }
        from = id;
      }
      if (entries.length < REPLAY_CHUNK) return session;
    }
  };
}

/**
 * `@socket.io/redis-streams-adapter` on the shared client: broadcasts go through one Redis stream,
 * so every instance delivers them and a client recovering on any instance finds what it missed.
 */
export function redisStreamsAdapter(client: Redis, options: RedisStreamsOptions): ServerOptions['adapter'] {
  const { keyPrefix, onError, bounds } = options;
  const create = createAdapter(guarded(client, onError), {
    streamName: `${keyPrefix}:stream`,
    sessionKeyPrefix: `${keyPrefix}:session:`,
    channelPrefix: `${keyPrefix}:channel`,
    // Events are JSON (the REST representation): skip the per-message binary scan.
    onlyPlaintext: true,
    // A short block lets a closing instance release its XREAD connection quickly.
    blockTimeInMs: 2_000,
    // Entries, not bytes (Redis trims by count): events are at most 64 KiB, so about maxEvents × 64 KiB.
    maxLen: bounds.maxEvents,
  });
  // Socket.IO calls `new adapter(nsp)`: a plain function returning an object works with `new`.
  return function boundedAdapter(nsp: Namespace) {
    const adapter = create(nsp);
    boundReplay(adapter, nsp.name, client, options);
    return adapter;
  };
}
