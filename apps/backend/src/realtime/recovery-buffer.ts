import type { Namespace } from 'socket.io';

export interface RecoveryBounds {
  /** Events kept for connection-state recovery, and the most one recovery may replay. */
  maxEvents: number;
  /** Bytes (of the events' JSON) kept, and the most one recovery may read. */
  maxBytes: number;
}

/** What Socket.IO's in-memory SessionAwareAdapter keeps per broadcast event (internal to socket.io-adapter). */
interface StoredPacket {
  data: unknown[];
}

/**
 * Socket.IO's in-memory recovery buffer keeps every event for the whole recovery window, however
 * many and however large. This drops the oldest events past `maxEvents` or `maxBytes`; a client whose
 * offset was dropped is then not recovered (Socket.IO's own answer to an offset it no longer has) and
 * reloads instead. The base class expires packets from the front too, so sizes are kept in step.
 */
export function boundInMemoryRecoveryBuffer(namespace: Namespace, bounds: RecoveryBounds): void {
  const adapter = namespace.adapter as unknown as {
    packets?: StoredPacket[];
    broadcast(packet: { data: unknown[] }, opts: unknown): void;
  };
  if (!Array.isArray(adapter.packets)) return; // Not the in-memory recovery adapter (e.g. Redis streams).
  const broadcast = adapter.broadcast.bind(adapter);
  const sizes: number[] = [];
  let bytes = 0;

  adapter.broadcast = (packet, opts) => {
    const packets = adapter.packets!;
    // Packets the base class expired since the last call left from the front, as ours do.
    for (let expired = sizes.length - packets.length; expired > 0; expired--) bytes -= sizes.shift()!;
    const before = packets.length;
    broadcast(packet, opts);
    if (packets.length === before) return; // Not kept (acknowledged or volatile).
    const size = Buffer.byteLength(JSON.stringify(packet.data));
    sizes.push(size);
    bytes += size;
    let drop = 0;
    while (drop < packets.length && (packets.length - drop > bounds.maxEvents || bytes > bounds.maxBytes)) {
      bytes -= sizes[drop]!;
      drop++;
    }
    if (drop > 0) {
      packets.splice(0, drop);
      sizes.splice(0, drop);
    }
  };
}
