import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 12;
const MAC = /^[A-Za-z0-9_-]{16}$/;

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
