import { describe, expect, it } from 'vitest';
import { canonicalJson, readIdempotencyKey, requestFingerprint } from './idempotency-key.js';

describe('readIdempotencyKey', () => {
  it('reads one key, and none when absent', () => {
    expect(readIdempotencyKey(['Host', 'x', 'Idempotency-Key', 'abc-1'])).toEqual({ kind: 'key', key: 'abc-1' });
    expect(readIdempotencyKey(['Host', 'x'])).toEqual({ kind: 'none' });
  });

  it('refuses empty, too long, non-ASCII and repeated keys', () => {
    for (const value of ['', 'x'.repeat(256), 'clé', 'a\u0007b']) {
      expect(readIdempotencyKey(['idempotency-key', value]).kind).toBe('invalid');
    }
    expect(readIdempotencyKey(['idempotency-key', 'a', 'Idempotency-Key', 'a']).kind).toBe('invalid');
    expect(readIdempotencyKey(['idempotency-key', 'x'.repeat(255)]).kind).toBe('key');
  });
});

describe('requestFingerprint', () => {
  it('ignores the order of fields but not their values, the method or the path', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    const base = requestFingerprint('POST', '/api/tasks', { title: 'a', priority: 'LOW' });
    expect(requestFingerprint('POST', '/api/tasks', { priority: 'LOW', title: 'a' })).toBe(base);
    expect(requestFingerprint('POST', '/api/tasks', { priority: 'LOW', title: 'b' })).not.toBe(base);
    expect(requestFingerprint('PUT', '/api/tasks', { priority: 'LOW', title: 'a' })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/tasks/x', { priority: 'LOW', title: 'a' })).not.toBe(base);
  });
});
