import type { TaskPriority, TaskStatus } from '@tasks/schemas';

/** Fields a factory-made task may override; the status is reached through the real lifecycle. */
export interface NewTaskOverrides {
  title?: string;
  description?: string | null;
  priority?: TaskPriority;
  /** Reached through the real lifecycle (e.g. FAILED = PENDING → RUNNING → FAILED). */
  status?: TaskStatus;
}

/** The PATCHes of `status` that take a new (PENDING) task to each status. */
export const STATUS_PATH: Record<TaskStatus, readonly TaskStatus[]> = {
  PENDING: [],
  RUNNING: ['RUNNING'],
  COMPLETED: ['COMPLETED'],
  FAILED: ['RUNNING', 'FAILED'],
  CANCELLED: ['CANCELLED'],
};
