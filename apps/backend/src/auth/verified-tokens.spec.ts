import { describe, expect, it } from 'vitest';
import { type VerifiedClaims, VerifiedTokens } from './verified-tokens.js';

const NOW = 1_800_000_000;
const claims = (exp: number, sub = 'u'): VerifiedClaims => ({ sub, jti: `j-${sub}`, iat: NOW - 10, exp });

describe('VerifiedTokens', () => {
  it('should recall a remembered token until its expiry, then forget it', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', claims(NOW + 60));
    expect(tokens.recall('a.b.c', NOW)).toEqual(claims(NOW + 60));
    expect(tokens.recall('a.b.c', NOW + 59)).toEqual(claims(NOW + 60));
    // jsonwebtoken: expired once now >= exp.
    expect(tokens.recall('a.b.c', NOW + 60)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('should recall nothing for a token it was not given, however close its text', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', claims(NOW + 60));
    expect(tokens.recall('a.b.d', NOW)).toBeUndefined();
    expect(tokens.recall('a.b.c ', NOW)).toBeUndefined();
  });

  it('should hold at most its capacity, forgetting the oldest first', () => {
    const tokens = new VerifiedTokens(3);
    for (const name of ['t1', 't2', 't3', 't4']) tokens.remember(name, claims(NOW + 60, name));
    expect(tokens.size).toBe(3);
    expect(tokens.recall('t1', NOW)).toBeUndefined();
    expect(['t2', 't3', 't4'].map((name) => tokens.recall(name, NOW)?.sub)).toEqual(['t2', 't3', 't4']);
    tokens.remember('t4', claims(NOW + 60, 't4'));
    expect(tokens.size).toBe(3);
  });
});
