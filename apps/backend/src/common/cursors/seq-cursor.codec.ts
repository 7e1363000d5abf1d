import { CursorSigner } from './cursor.signer.js';

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
