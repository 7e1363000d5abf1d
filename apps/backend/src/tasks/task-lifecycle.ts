import { TASK_TRANSITIONS, type TaskPriority, type TaskStatus } from '@tasks/schemas';
import { InvalidTransitionError, TaskStateConflictError } from './tasks.errors.js';

/** The fields of a task the lifecycle reads. */
export interface TaskState {
  readonly title: string;
  readonly description: string | null;
  readonly status: TaskStatus;
  readonly priority: TaskPriority;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly failedAt: Date | null;
  readonly errorMessage: string | null;
}

/** What a client may ask to change (PATCH, PUT and the complete toggle all reduce to this). */
export interface TaskEdit {
  readonly title?: string;
  readonly description?: string | null;
  readonly status?: TaskStatus;
  readonly priority?: TaskPriority;
  readonly errorMessage?: string | null;
}

export type TaskChanges = { -readonly [K in keyof TaskState]?: TaskState[K] };

export interface TaskPlan {
  /** Only the fields whose value actually changes; empty means the request is a no-op. */
  readonly changes: TaskChanges;
  /** True when the task moves into RUNNING, so the running cap must be checked. */
  readonly entersRunning: boolean;
}

export function allowedTargets(from: TaskStatus): readonly TaskStatus[] {
  return TASK_TRANSITIONS[from];
}

/** Timestamp effects of moving `from` → `to` (already known to be allowed). */
function transitionEffects(to: TaskStatus, now: Date, errorMessage: string | null | undefined): TaskChanges {
  switch (to) {
    case 'PENDING':
      // Retry / reopen: the task starts over.
      return { startedAt: null, completedAt: null, failedAt: null, errorMessage: null };
    case 'RUNNING':
      return { startedAt: now };
    case 'COMPLETED':
      return { completedAt: now };
    case 'FAILED':
      return { failedAt: now, errorMessage: errorMessage ?? null };
    case 'CANCELLED':
      return {};
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

/**
 * Applies the lifecycle rules to an edit: validates the status move, adds the server-set
 * timestamps, and drops every field that would not change. Throws InvalidTransitionError /
 * TaskStateConflictError for edits the rules forbid.
 */
export function planEdit(current: TaskState, edit: TaskEdit, now: Date): TaskPlan {
  const changes: TaskChanges = {};
  if (edit.title !== undefined) changes.title = edit.title;
  if (edit.description !== undefined) changes.description = edit.description;
  if (edit.priority !== undefined) changes.priority = edit.priority;

  const target = edit.status ?? current.status;
  const moves = target !== current.status;
  if (edit.errorMessage !== undefined && edit.errorMessage !== null && target !== 'FAILED') {
    throw new TaskStateConflictError(
      `errorMessage can only be set on a FAILED task (this one ${moves ? 'would be' : 'is'} ${target}).`,
    );
  }
  if (moves) {
    const allowed = allowedTargets(current.status);
    if (!allowed.includes(target)) throw new InvalidTransitionError(current.status, target, allowed);
    changes.status = target;
    Object.assign(changes, transitionEffects(target, now, edit.errorMessage));
  } else if (edit.errorMessage !== undefined) {
    changes.errorMessage = edit.errorMessage;
  }

  for (const key of Object.keys(changes) as (keyof TaskChanges)[]) {
    if (sameValue(changes[key], current[key])) delete changes[key];
  }
  return { changes, entersRunning: changes.status === 'RUNNING' };
}

/** The complete toggle: COMPLETED ⇄ PENDING; from anywhere else it asks for COMPLETED. */
export function completeToggleTarget(status: TaskStatus): TaskStatus {
  return status === 'COMPLETED' ? 'PENDING' : 'COMPLETED';
}
