import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 12;
const CURSOR = /^([1-9]\d{0,9})\.([A-Za-z0-9_-]{16})$/;

/**
 * Opaque keyset cursors of a task's log pages: `<seq>.<mac>`, where the MAC binds the position to
 * the task, so a cursor edited by hand or taken from another task is refused instead of followed.
 */
export class LogCursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, derived from the server secret, so cursors can never double as anything else.
    this.key = createHmac('sha256', secret).update('task-log-cursor').digest();
  }

  encode(taskId: string, seq: number): string {
    return `${seq}.${this.mac(taskId, seq).toString('base64url')}`;
  }

  /** The sequence number before which the next page starts; null when the cursor is not one of ours for this task. */
  decode(taskId: string, cursor: string): number | null {
    const match = CURSOR.exec(cursor);
    if (!match) return null;
    const seq = Number(match[1]);
    if (seq > 2_147_483_647) return null;
    const given = Buffer.from(match[2]!, 'base64url');
    const expected = this.mac(taskId, seq);
    return given.length === expected.length && timingSafeEqual(given, expected) ? seq : null;
  }

  private mac(taskId: string, seq: number): Buffer {
    return createHmac('sha256', this.key).update(`${taskId.toLowerCase()}:${seq}`).digest().subarray(0, MAC_BYTES);
  }
}
