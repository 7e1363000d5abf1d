import { describe, expect, it } from 'vitest';
import { LogCursorCodec } from '../tasks/log-cursor.js';
import { ChangeCursorCodec } from './change-cursor.js';

const SECRET = 'x'.repeat(32);
const ALICE = '0b6e9c1d-8f2a-4d3b-9c4e-5f6a7b8c9d0e';
const BOB = '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c';

describe('ChangeCursorCodec', () => {
  const codec = new ChangeCursorCodec(SECRET);

  it('should give back the seq of a cursor it issued to the same user, including 0 and large seqs', () => {
    for (const seq of [0, 1, 42, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      expect(codec.decode(ALICE, codec.encode(ALICE, seq))).toBe(seq);
    }
    expect(codec.decode(ALICE.toUpperCase(), codec.encode(ALICE, 7))).toBe(7);
  });

  it("should refuse another user's cursor", () => {
    expect(codec.decode(BOB, codec.encode(ALICE, 3))).toBeNull();
  });

  it('should refuse a cursor signed with another secret or for another purpose', () => {
    expect(codec.decode(ALICE, new ChangeCursorCodec('y'.repeat(32)).encode(ALICE, 3))).toBeNull();
    expect(codec.decode(ALICE, new LogCursorCodec(SECRET).encode(ALICE, 3))).toBeNull();
  });

  it('should refuse malformed and edited cursors', () => {
    const good = codec.encode(ALICE, 5);
    const mac = good.split('.')[1]!;
    for (const bad of ['', '5', `5.${mac}x`, `6.${mac}`, `05.${mac}`, `-5.${mac}`, `${'9'.repeat(17)}.${mac}`, ` ${good}`, `${good}.`]) {
      expect(codec.decode(ALICE, bad)).toBeNull();
    }
    expect(codec.decode(ALICE, `${Number.MAX_SAFE_INTEGER + 1}.${mac}`)).toBeNull();
  });
});

describe('LogCursorCodec', () => {
  it('should still refuse seq 0 and seqs past int4', () => {
    const codec = new LogCursorCodec(SECRET);
    expect(codec.decode(ALICE, codec.encode(ALICE, 0))).toBeNull();
    expect(codec.decode(ALICE, codec.encode(ALICE, 2_147_483_648))).toBeNull();
    expect(codec.decode(ALICE, codec.encode(ALICE, 9))).toBe(9);
  });
});
