import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 12;
const MAC = /^[A-Za-z0-9_-]{16}$/;
const CURSOR = /^([1-9]\d{0,9})\.([A-Za-z0-9_-]{16})$/;

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

/**
 * Opaque keyset cursors of a task's log pages: `<seq>.<mac>`, where the MAC binds the position to
 * the task, so a cursor edited by hand or taken from another task is refused instead of followed.
 */
export class LogCursorCodec {
  private readonly signer: CursorSigner;

  constructor(secret: string) {
    this.signer = new CursorSigner(secret, 'task-log-cursor');
  }

  encode(taskId: string, seq: number): string {
    return `${seq}.${this.signer.sign(`${taskId.toLowerCase()}:${seq}`)}`;
  }

  /** The sequence number before which the next page starts; null when the cursor is not one of ours for this task. */
  decode(taskId: string, cursor: string): number | null {
    const match = CURSOR.exec(cursor);
    if (!match) return null;
    const seq = Number(match[1]);
    if (seq > 2_147_483_647) return null;
    return this.signer.verify(`${taskId.toLowerCase()}:${seq}`, match[2]!) ? seq : null;
  }
}
