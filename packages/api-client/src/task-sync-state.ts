import type { ChangeType, Task } from '@tasks/schemas';

/** One change as the sync applies it, from the feed (`Change`) or a socket event and its `{ cursor }`. */
export interface SyncChange {
  type: ChangeType;
  taskId: string;
  /** The task after the change; null for a delete. */
  task: Task | null;
  /** Its feed position, when the source gave one (events of a server without the change log carry none). */
  cursor: string | null;
}

/**
 * The pure core of the sync helper: the current tasks and the feed position, with changes applied
 * idempotently. A task never goes back to an older version and a deleted task never comes back
 * (ids are never reused), so a change seen twice (socket replay and feed, recovery and resume) or
 * late (a response older than an event) is a no-op. No I/O here.
 */
export class TaskSyncState {
  private readonly byId = new Map<string, Task>();
  private readonly deleted = new Set<string>();
  private position: string | null = null;

  /** The feed position after every change applied so far (null before the first list). */
  get cursor(): string | null {
    return this.position;
  }

  get tasks(): ReadonlyMap<string, Task> {
    return this.byId;
  }

  /** Newest first (createdAt, then id), a stable order for rendering. */
  sorted(): Task[] {
    return [...this.byId.values()].sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)));
  }

  /**
   * Replaces everything with a fresh list read at feed position `cursor`; answers how many tasks
   * differ from before (added, removed or at another version), for "caught up on n changes".
   */
  reset(tasks: Iterable<Task>, cursor: string): number {
    const before = new Map(this.byId);
    this.byId.clear();
    for (const task of tasks) this.merge(task);
    let differences = 0;
    for (const [id, task] of this.byId) if (before.get(id)?.version !== task.version) differences++;
    // Not tombstoned: with a bounded list, a task missing from it may just be on a page not read.
    for (const id of before.keys()) if (!this.byId.has(id)) differences++;
    this.position = cursor;
    return differences;
  }

  /** Adds a task read from a later list page: kept only if it is newer than what is known. */
  merge(task: Task): boolean {
    if (this.deleted.has(task.id)) return false;
    const known = this.byId.get(task.id);
    if (known !== undefined && known.version >= task.version) return false;
    this.byId.set(task.id, task);
    return true;
  }

  /** Applies one change; answers whether it changed anything (false: seen before, or older). */
  apply(change: SyncChange): boolean {
    const applied = change.type === 'task:deleted' || change.task === null ? this.remove(change.taskId) : this.merge(change.task);
    // A duplicate's cursor is at or before the current position: only a new change moves it.
    if (applied && change.cursor !== null) this.position = change.cursor;
    return applied;
  }

  /** Moves to where a feed page ended (its changes applied, duplicates included). */
  advanceTo(cursor: string): void {
    this.position = cursor;
  }

  private remove(id: string): boolean {
    if (this.deleted.has(id)) return false;
    this.deleted.add(id);
    this.byId.delete(id);
    return true;
  }
}
