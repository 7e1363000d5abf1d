import type { BulkChangeInput, Problem, Task, TaskStatus } from '@tasks/schemas';

/** Most ids one bulk request takes (the contract's limit). */
export const BULK_CHUNK = 100;

/** `retry` is FAILED → PENDING only, task by task (task-retry.ts); the others go through `POST /api/tasks/bulk`. */
export type BulkAction = { kind: 'status'; status: TaskStatus } | { kind: 'delete' } | { kind: 'retry' };

/** One item's outcome: a bulk result, or a retry's (412 = no longer FAILED, left as it is). */
export interface ItemResult {
  id: string;
  status: number;
  problem?: Partial<Problem> & Pick<Problem, 'detail'>;
}

/** The bodies of `POST /api/tasks/bulk` for `ids`, at most 100 ids each, in order. */
export function bulkRequests(ids: readonly string[], action: Exclude<BulkAction, { kind: 'retry' }>): BulkChangeInput[] {
  const bodies: BulkChangeInput[] = [];
  for (let start = 0; start < ids.length; start += BULK_CHUNK) {
    const chunk = ids.slice(start, start + BULK_CHUNK);
    bodies.push(action.kind === 'delete' ? { ids: chunk, delete: true } : { ids: chunk, status: action.status });
  }
  return bodies;
}

export interface BulkFailure {
  id: string;
  /** The task's title when this page knows it, else its id. */
  name: string;
  reason: string;
}

export interface BulkOutcome {
  done: number;
  failures: BulkFailure[];
}

const REASONS: Record<number, string> = { 404: 'no longer exists', 409: 'cannot make this change', 412: 'is no longer failed' };

/** Sums up per-item results: how many were applied and why the others were not. */
export function bulkOutcome(results: readonly ItemResult[], known: ReadonlyMap<string, Pick<Task, 'title'>>): BulkOutcome {
  const failures = results
    .filter((result) => result.status !== 200 && result.status !== 204)
    .map((result) => ({
      id: result.id,
      name: known.get(result.id)?.title ?? result.id,
      reason: result.problem?.detail ?? REASONS[result.status] ?? `failed (${result.status})`,
    }));
  return { done: results.length - failures.length, failures };
}
