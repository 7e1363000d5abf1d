import { TASK_PRIORITIES, type TaskFilter } from '@tasks/schemas';
import { CursorSigner } from '../common/cursors/cursor.signer.js';

/** Where a list walk stands: the sort key and id of the last task it returned, and what it is pinned to. */
export interface ListPosition {
  /** ISO timestamp (createdAt / updatedAt sorts) or a priority: the task's key as of `snapshot`. */
  key: string;
  id: string;
  /** The change-feed seq of the walk's first page: later pages place and filter tasks as of it. */
  snapshot: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURSOR = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{16})$/;

/** The walk a cursor belongs to: the user, the sort and the filters, in one canonical form. */
function walkOf(userId: string, filter: TaskFilter): string {
  return JSON.stringify([
    userId.toLowerCase(),
    filter.sort,
    filter.status ? [...filter.status].sort() : null,
    filter.priority ? [...filter.priority].sort() : null,
    filter.q ?? null,
  ]);
}

function validKey(filter: TaskFilter, key: unknown): key is string {
  if (typeof key !== 'string') return false;
  if (filter.sort.endsWith('priority')) return (TASK_PRIORITIES as readonly string[]).includes(key);
  return ISO.test(key) && !Number.isNaN(Date.parse(key));
}

/**
 * Opaque list cursors `<position>.<mac>`: the MAC binds the position to the user, sort and filters,
 * so a cursor edited by hand, another user's, or one sent with other filters or sort is refused.
 */
export class ListCursorCodec {
  private readonly signer: CursorSigner;

  constructor(secret: string) {
    this.signer = new CursorSigner(secret, 'task-list-cursor');
  }

  encode(userId: string, filter: TaskFilter, position: ListPosition): string {
    const body = Buffer.from(JSON.stringify([position.key, position.id, position.snapshot])).toString('base64url');
    return `${body}.${this.signer.sign(`${walkOf(userId, filter)}:${body}`)}`;
  }

  /** The position after which the page starts; null when the cursor is not one of ours for this walk. */
  decode(userId: string, filter: TaskFilter, cursor: string): ListPosition | null {
    const match = CURSOR.exec(cursor);
    if (!match || !this.signer.verify(`${walkOf(userId, filter)}:${match[1]}`, match[2]!)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!Array.isArray(parsed) || parsed.length !== 3) return null;
    const [key, id, snapshot] = parsed as unknown[];
    if (!validKey(filter, key) || typeof id !== 'string' || !UUID.test(id)) return null;
    if (typeof snapshot !== 'number' || !Number.isSafeInteger(snapshot) || snapshot < 0) return null;
    return { key, id, snapshot };
  }
}
