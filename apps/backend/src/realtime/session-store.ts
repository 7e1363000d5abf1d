import { Adapter, type Session } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';

type SessionToPersist = Parameters<Adapter['persistSession']>[0];

/** The session cannot be resumed (gone or expired): Socket.IO connects the client afresh (`recovered: false`). */
export class NotRecoveredError extends Error {}

/** A resumed session replays nothing itself: the gateway pumps what the socket missed from the change log. */
export function resumed(session: SessionToPersist): Session {
  return { ...session, missedPackets: [] };
}

/**
 * Socket.IO's in-memory adapter keeping only the recovery sessions of one process, for the recovery
 * window. Unlike its SessionAwareAdapter it stores no packets: events are read from the change log.
 */
export class SessionStoreAdapter extends Adapter {
  // Insertion order is expiry order: every session is kept for the same window.
  private readonly sessions = new Map<string, { session: SessionToPersist; until: number }>();
  private readonly windowMs: number;

  constructor(nsp: Namespace) {
    super(nsp);
    // `opts` is private in the types; SessionAwareAdapter reads the window the same way.
    const server = nsp.server as unknown as { opts: { connectionStateRecovery?: { maxDisconnectionDuration?: number } } };
    const recovery = server.opts.connectionStateRecovery;
    this.windowMs = recovery?.maxDisconnectionDuration ?? 0;
  }

  override persistSession(session: SessionToPersist): void {
    const now = Date.now();
    for (const [pid, kept] of this.sessions) {
      if (kept.until > now) break;
      this.sessions.delete(pid);
    }
    this.sessions.set(session.pid, { session, until: now + this.windowMs });
  }

  override restoreSession(pid: string): Promise<Session> {
    const kept = this.sessions.get(pid);
    this.sessions.delete(pid);
    if (!kept || kept.until <= Date.now()) return Promise.reject(new NotRecoveredError('session not found'));
    return Promise.resolve(resumed(kept.session));
  }
}
