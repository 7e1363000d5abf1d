import { createHash } from 'node:crypto';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** 1–255 printable ASCII characters (space included, as the header's value may hold it inside). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export type KeyReading = { kind: 'none' } | { kind: 'key'; key: string } | { kind: 'invalid'; message: string };

/**
 * The request's Idempotency-Key from its raw header lines (name, value, name, value …): Node joins
 * repeated headers with ", ", which would turn two keys into one, so repetition is checked here.
 */
export function readIdempotencyKey(rawHeaders: readonly string[]): KeyReading {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === IDEMPOTENCY_KEY_HEADER) values.push(rawHeaders[i + 1] ?? '');
  }
  if (values.length === 0) return { kind: 'none' };
  if (values.length > 1) return { kind: 'invalid', message: 'Send Idempotency-Key once.' };
  const key = (values[0] ?? '').trim();
  if (!KEY_PATTERN.test(key)) return { kind: 'invalid', message: 'Must be 1–255 printable ASCII characters.' };
  return { kind: 'key', key };
}

/** JSON with object keys sorted: the same body whatever order its fields were sent in. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of method, path and canonical body: what "the same request" means for a key. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${path}\n`).update(canonicalJson(body)).digest('hex');
}
