import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 12;
const CURSOR = /^(0|[1-9]\d{0,15})\.([A-Za-z0-9_-]{16})$/;

/** What a codec's cursors mean: a purpose label (its own key) and the sequence numbers it accepts. */
export interface SeqCursorKind {
  readonly purpose: string;
  readonly min: number;
  readonly max: number;
}

/**
 * Opaque keyset cursors `<seq>.<mac>`, where the MAC binds the position to an owner (a task, a
 * user), so a cursor edited by hand or taken from another owner is refused instead of followed.
 */
export class SeqCursorCodec {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly kind: SeqCursorKind,
  ) {
    // A key of its own per purpose, derived from the server secret, so cursors can never double as anything else.
    this.key = createHmac('sha256', secret).update(kind.purpose).digest();
  }

  encode(ownerId: string, seq: number): string {
    return `${seq}.${this.mac(ownerId, seq).toString('base64url')}`;
  }

  /** The sequence number the cursor stands for; null when it is not one of ours for this owner. */
  decode(ownerId: string, cursor: string): number | null {
    const match = CURSOR.exec(cursor);
    if (!match) return null;
    const seq = Number(match[1]);
    if (seq < this.kind.min || seq > this.kind.max) return null;
    const given = Buffer.from(match[2]!, 'base64url');
    const expected = this.mac(ownerId, seq);
    return given.length === expected.length && timingSafeEqual(given, expected) ? seq : null;
  }

  private mac(ownerId: string, seq: number): Buffer {
    return createHmac('sha256', this.key).update(`${ownerId.toLowerCase()}:${seq}`).digest().subarray(0, MAC_BYTES);
  }
}

/** Cursors of a task's log pages: the seq before which the next page starts, bound to the task. */
export class LogCursorCodec extends SeqCursorCodec {
  constructor(secret: string) {
    super(secret, { purpose: 'task-log-cursor', min: 1, max: 2_147_483_647 });
  }
}
