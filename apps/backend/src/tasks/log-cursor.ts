import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 12;
const MAC = /^[A-Za-z0-9_-]{16}$/;
const CURSOR = /^(0|[1-9]\d{0,15})\.([A-Za-z0-9_-]{16})$/;

/**
 * The MAC of every opaque cursor: a truncated HMAC-SHA256 under a key of its own per `purpose`
 * (derived from the server secret), so a cursor of one kind can never double as another.
 */
export class CursorSigner {
  private readonly key: Buffer;

  constructor(secret: string, purpose: string) {
    this.key = createHmac('sha256', secret).update(purpose).digest();
  }

  /** 16 base64url characters over `text`. */
  sign(text: string): string {
    return this.mac(text).toString('base64url');
  }

  verify(text: string, mac: string): boolean {
    if (!MAC.test(mac)) return false;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(text);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(text: string): Buffer {
    return createHmac('sha256', this.key).update(text).digest().subarray(0, MAC_BYTES);
  }
}

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
  private readonly signer: CursorSigner;

  constructor(
    secret: string,
    private readonly kind: SeqCursorKind,
  ) {
    this.signer = new CursorSigner(secret, kind.purpose);
  }

  encode(ownerId: string, seq: number): string {
    return `${seq}.${this.signer.sign(`${ownerId.toLowerCase()}:${seq}`)}`;
  }

  /** The sequence number the cursor stands for; null when it is not one of ours for this owner. */
  decode(ownerId: string, cursor: string): number | null {
    const match = CURSOR.exec(cursor);
    if (!match) return null;
    const seq = Number(match[1]);
    if (seq < this.kind.min || seq > this.kind.max) return null;
    return this.signer.verify(`${ownerId.toLowerCase()}:${seq}`, match[2]!) ? seq : null;
  }
}

/** Cursors of a task's log pages: the seq before which the next page starts, bound to the task. */
export class LogCursorCodec extends SeqCursorCodec {
  constructor(secret: string) {
    super(secret, { purpose: 'task-log-cursor', min: 1, max: 2_147_483_647 });
  }
}
