import type { Namespace, Socket } from 'socket.io';

/** An event packet's data as Socket.IO stores it for recovery: [event, ...args, offset]. */
type MissedPacket = unknown[];

/** socket.io-parser's PacketType.EVENT. */
const EVENT_PACKET = 2;

/** `Socket#packet` is internal to Socket.IO; it writes one packet to the client as-is. */
interface PacketWriter {
  packet(packet: { type: number; data: MissedPacket }): void;
}

/**
 * Socket.IO writes a recovered session's missed packets to the wire while it builds the socket,
 * before the namespace middleware has checked the handshake token. So a client holding a session id
 * but a revoked or expired token would read them. This holds them back and writes them right after
 * the CONNECT packet, only for sockets the middleware admitted.
 *
 * Install before any other middleware of the namespace.
 */
export function holdMissedPacketsUntilConnected(namespace: Namespace): void {
  const adapter = namespace.adapter;
  const restoreSession = adapter.restoreSession.bind(adapter);
  // Between a session's restore and its socket's first middleware there is no await, so keyed by
  // socket id this map holds at most the sessions being restored right now.
  const restored = new Map<string, MissedPacket[]>();
  const held = new WeakMap<Socket, MissedPacket[]>();

  adapter.restoreSession = async (pid, offset) => {
    const session = await restoreSession(pid, offset);
    if (session && session.missedPackets.length > 0) {
      restored.set(session.sid, session.missedPackets);
      session.missedPackets = [];
    }
    return session;
  };

  namespace.use((socket, next) => {
    const packets = restored.get(socket.id);
    if (packets) {
      restored.delete(socket.id);
      held.set(socket, packets);
    }
    next();
  });

  // Runs synchronously after CONNECT is written, before any other broadcast can reach the socket.
  namespace.on('connection', (socket: Socket) => {
    const packets = held.get(socket);
    if (!packets) return;
    held.delete(socket);
    const writer = socket as unknown as PacketWriter;
    for (const data of packets) writer.packet({ type: EVENT_PACKET, data });
  });
}
