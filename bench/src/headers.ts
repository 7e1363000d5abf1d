// What of two servers' response headers must match: all of them but those that differ per response.

/** Headers that differ between any two responses: when it was sent, and which request it answers. */
const PER_RESPONSE = ['date', 'x-request-id'];

/** A response's headers as sorted `name: value` lines, without the per-response ones and `except`. */
export function headerLines(headers: Headers, except: readonly string[] = []): string {
  const skipped = new Set([...PER_RESPONSE, ...except]);
  return [...headers]
    .filter(([name]) => !skipped.has(name))
    .map(([name, value]) => `${name}: ${value}`)
    .sort()
    .join('\n');
}
