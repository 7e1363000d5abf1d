import { SeqCursorCodec } from '../common/cursors/seq-cursor.codec.js';

/**
 * Positions in a user's change feed: `<seq>.<mac>`, the seq of the last change seen (0 = before the
 * first), bound to the user so another user's cursor is refused like a malformed one.
 */
export class ChangeCursorCodec {
  private readonly codec: SeqCursorCodec;

  constructor(secret: string) {
    this.codec = new SeqCursorCodec(secret, { purpose: 'task-change-cursor', min: 0, max: Number.MAX_SAFE_INTEGER });
  }

  encode(userId: string, seq: number): string {
    return this.codec.encode(userId, seq);
  }

  /** The seq, or null when the cursor is not one this server issued to this user. */
  decode(userId: string, cursor: string): number | null {
    return this.codec.decode(userId, cursor);
  }
}
