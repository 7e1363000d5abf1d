import { createHash } from 'node:crypto';

// One entity tag of a list: optional W/ prefix, then a quoted opaque tag (RFC 9110 §8.8.3).
const ENTITY_TAG = /\s*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;

/**
 * RFC 9110 If-None-Match: true when the header is `*` or lists a tag equal to `etag` by weak
 * comparison (W/ prefixes ignored). A malformed header matches nothing, so a full response follows.
 */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  ENTITY_TAG.lastIndex = 0;
  let match: RegExpExecArray | null;
  let end = 0;
  const tags: string[] = [];
  while (end < raw.length && (match = ENTITY_TAG.exec(raw)) !== null) {
    tags.push(match[1]!);
    end = ENTITY_TAG.lastIndex;
  }
  return raw.slice(end).trim() === '' && tags.includes(opaque);
}

/**
 * The ETag of a list response: a hash of the serialised page, the very text sent, so any change to
 * what the page shows (a task, the total, the cursor) changes it. The single place where a per-user
 * change sequence can be mixed in later, so the tag also moves with changes the page does not show.
 */
export function listEtag(serialised: string): string {
  return `"l.${createHash('sha256').update(serialised).digest('base64url').slice(0, 27)}"`;
}
