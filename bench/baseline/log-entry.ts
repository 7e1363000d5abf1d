// The body of POST /api/tasks/:id/logs checked as appendLogSchema (packages/schemas) checks it, without
// Zod: every body the app refuses with a 400 is refused here (log-entry.spec.ts holds the two together).

/** TASK_LOG_LEVELS, TEXT_MAX_LENGTH and LOG_MESSAGE_MAX_BYTES of packages/schemas. */
const LEVELS = new Set(['info', 'warn', 'error']);
const MESSAGE_MAX_CHARS = 2000;
const MESSAGE_MAX_BYTES = 8 * 1024;
// What PostgreSQL text cannot hold besides U+0000: unpaired surrogates (noNul of task.schema.ts).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface LogAppend {
  level: string;
  message: string;
}

/** More than `max` code points (as Zod's `max`), counted only when the UTF-16 length exceeds it. */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let points = text.length;
  // Well-formed text (checked before): each low surrogate is the second unit of one code point.
  for (let i = 0; i < text.length; i++) if ((text.charCodeAt(i) & 0xfc00) === 0xdc00) points--;
  return points > max;
}

/** The entry to append (message trimmed, level defaulting to info), or null for a 400. */
export function parseLogAppend(body: unknown): LogAppend | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  // A strict object: a key besides these two is refused.
  for (const key in body) if (key !== 'level' && key !== 'message') return null;
  const { level = 'info', message } = body as { level?: unknown; message?: unknown };
  if (typeof level !== 'string' || !LEVELS.has(level) || typeof message !== 'string') return null;
  const trimmed = message.trim();
  if (trimmed.length === 0 || trimmed.includes('\u0000') || LONE_SURROGATE.test(trimmed)) return null;
  if (longerThan(trimmed, MESSAGE_MAX_CHARS)) return null;
  // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4): short text needs no count.
  if (trimmed.length * 3 > MESSAGE_MAX_BYTES && Buffer.byteLength(trimmed) > MESSAGE_MAX_BYTES) return null;
  return { level, message: trimmed };
}
