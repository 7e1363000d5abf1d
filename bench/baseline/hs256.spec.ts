import { createHmac, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { accessTokenCheck, verifiedTokens } from './hs256.js';

const rules = { secret: 'a-secret-of-the-bench-with-enough-length', issuer: 'tasks-api', audience: 'tasks-api' };
const check = accessTokenCheck(rules);
const NOW = 1_800_000_000;
const sub = randomUUID();
const jti = randomUUID();

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS over `header` and `payload`, signed with HMAC-SHA256 under `secret` whatever `alg` says. */
function token(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, secret = rules.secret): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const claims = (extra: Record<string, unknown> = {}) => ({ sub, jti, iat: NOW, exp: NOW + 900, iss: rules.issuer, aud: rules.audience, ...extra });

describe('accessTokenCheck', () => {
  it('accepts a token as the app signs it (jsonwebtoken, HS256, iss, aud, exp)', () => {
    const signed = jwt.sign({ sub, jti }, rules.secret, { algorithm: 'HS256', issuer: rules.issuer, audience: rules.audience, expiresIn: '15m' });
    expect(check(signed)).toMatchObject({ sub, jti });
    expect(check(token(claims()), NOW)).toEqual({ sub, jti, exp: NOW + 900 });
  });

  it('accepts an audience list that names this audience, and a past nbf', () => {
    expect(check(token(claims({ aud: ['other', rules.audience], nbf: NOW - 5 })), NOW)).toEqual({ sub, jti, exp: NOW + 900 });
  });

  it('refuses a wrong signature, another key, and another spelling of the right signature', () => {
    const good = token(claims());
    const last = good.at(-1)!;
    expect(check(`${good.slice(0, -1)}${last === 'A' ? 'E' : 'A'}`, NOW)).toBeNull();
    expect(check(token(claims(), undefined, 'another-secret'), NOW)).toBeNull();
    // The same 32 bytes with a non-zero unused bit in the last character: jsonwebtoken refuses it.
    const variant = String.fromCharCode(last.charCodeAt(0) + 1);
    expect(Buffer.from(good.slice(-43, -1) + variant, 'base64url')).toEqual(Buffer.from(good.slice(-43), 'base64url'));
    expect(check(good.slice(0, -1) + variant, NOW)).toBeNull();
    expect(check(`${good.slice(0, good.lastIndexOf('.'))}.`, NOW)).toBeNull();
  });

  it('refuses alg none, HS512 and RS256, and a missing alg', () => {
    const payload = segment(claims());
    expect(check(`${segment({ alg: 'none', typ: 'JWT' })}.${payload}.`, NOW)).toBeNull();
    const hs512 = jwt.sign(claims(), rules.secret, { algorithm: 'HS512', noTimestamp: true });
    expect(check(hs512, NOW)).toBeNull();
    expect(check(token(claims(), { alg: 'HS512', typ: 'JWT' }), NOW)).toBeNull();
    expect(check(token(claims(), { alg: 'RS256' }), NOW)).toBeNull();
    expect(check(token(claims(), { typ: 'JWT' }), NOW)).toBeNull();
  });

  it('refuses a crit header', () => {
    expect(check(token(claims(), { alg: 'HS256', typ: 'JWT', crit: ['exp'] }), NOW)).toBeNull();
  });

  it('refuses an expired token, and one without a whole-second exp', () => {
    expect(check(token(claims({ exp: NOW })), NOW)).toBeNull();
    expect(check(token(claims({ exp: NOW - 1 })), NOW)).toBeNull();
    expect(check(token(claims({ exp: undefined })), NOW)).toBeNull();
    expect(check(token(claims({ exp: NOW + 0.5 })), NOW)).toBeNull();
    expect(check(token(claims({ exp: String(NOW + 900) })), NOW)).toBeNull();
  });

  it('refuses a wrong or missing issuer or audience', () => {
    expect(check(token(claims({ iss: 'someone-else' })), NOW)).toBeNull();
    expect(check(token(claims({ iss: undefined })), NOW)).toBeNull();
    expect(check(token(claims({ aud: 'someone-else' })), NOW)).toBeNull();
    expect(check(token(claims({ aud: ['someone-else'] })), NOW)).toBeNull();
    expect(check(token(claims({ aud: undefined })), NOW)).toBeNull();
  });

  it('refuses iat more than a minute ahead, a future nbf, and a non-numeric nbf', () => {
    expect(check(token(claims({ iat: NOW + 60 })), NOW)).toEqual({ sub, jti, exp: NOW + 900 });
    expect(check(token(claims({ iat: NOW + 61 })), NOW)).toBeNull();
    expect(check(token(claims({ iat: undefined })), NOW)).toBeNull();
    expect(check(token(claims({ nbf: NOW + 1 })), NOW)).toBeNull();
    expect(check(token(claims({ nbf: 'soon' })), NOW)).toBeNull();
  });

  it('refuses a sub or jti that is not a UUID', () => {
    expect(check(token(claims({ sub: 'bench-0' })), NOW)).toBeNull();
    expect(check(token(claims({ jti: 42 })), NOW)).toBeNull();
    expect(check(token(claims({ sub: undefined })), NOW)).toBeNull();
  });

  it('refuses what is not a compact JWS of JSON objects', () => {
    const good = token(claims());
    expect(check('', NOW)).toBeNull();
    expect(check(`${good}.x`, NOW)).toBeNull();
    expect(check(good.replace('.', '.x.'), NOW)).toBeNull();
    const [header, , signature] = good.split('.');
    expect(check(`${header}.${signature}`, NOW)).toBeNull();
    const array = `${segment({ alg: 'HS256' })}.${segment([claims()])}`;
    expect(check(`${array}.${createHmac('sha256', rules.secret).update(array).digest('base64url')}`, NOW)).toBeNull();
  });
});

describe('verifiedTokens', () => {
  it('recalls a remembered token until its expiry, and nothing else', () => {
    const verified = verifiedTokens();
    const remembered = { sub, jti, exp: NOW + 60 };
    verified.remember('a.b.c', remembered);
    expect(verified.recall('a.b.c', NOW + 59)).toEqual(remembered);
    expect(verified.recall('a.b.d', NOW)).toBeUndefined();
    expect(verified.recall('a.b.c', NOW + 60)).toBeUndefined();
    expect(verified.recall('a.b.c', NOW)).toBeUndefined();
  });
});
