import { createSecretKey, type KeyObject } from 'node:crypto';

const keys = new Map<string, KeyObject>();

/**
 * JWT_SECRET as a KeyObject, made once. Handed a string, jsonwebtoken first tries to parse it as a PEM
 * key on every verify (a thrown and caught error) before making this same secret key, the largest
 * single cost of an authenticated request (docs/benchmarks.md).
 */
export function jwtKeyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}
