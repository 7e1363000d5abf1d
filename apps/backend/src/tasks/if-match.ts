/** A parsed `If-Match` header: absent, `*`, or the versions of the listed strong ETags. */
export type IfMatch = { kind: 'none' } | { kind: 'any' } | { kind: 'versions'; versions: readonly number[] };

const STRONG_ETAG = /^"(\d{1,10})"$/;

export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * RFC 9110 If-Match: `*` or a comma list of entity tags, compared strongly. Weak or malformed tags
 * can never match, so they lead to 412 like any stale tag.
 */
export function parseIfMatch(header: string | string[] | undefined): IfMatch {
  if (header === undefined) return { kind: 'none' };
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw.trim() === '*') return { kind: 'any' };
  const versions = raw
    .split(',')
    .map((tag) => STRONG_ETAG.exec(tag.trim())?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number);
  return { kind: 'versions', versions };
}

export function ifMatchAccepts(ifMatch: IfMatch, version: number): boolean {
  return ifMatch.kind !== 'versions' || ifMatch.versions.includes(version);
}
