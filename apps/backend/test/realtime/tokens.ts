import { createHmac, randomUUID } from 'node:crypto';
import { TEST_JWT_SECRET } from '../support/test-app.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

export interface ForgeOptions {
  alg?: string;
  secret?: string;
  claims?: Record<string, unknown>;
}

/** A JWT made by hand, so tests can make every kind of bad (or short-lived) token. */
export function forgeToken(sub: string, { alg = 'HS256', secret = TEST_JWT_SECRET, claims = {} }: ForgeOptions = {}): string {
  const payload = { sub, jti: randomUUID(), iat: now(), exp: now() + 3600, iss: 'tasks-api', aud: 'tasks-api', ...claims };
  const input = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  const signature = alg === 'none' ? '' : createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

export const secondsFromNow = (seconds: number): number => now() + seconds;
