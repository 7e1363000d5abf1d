import { TASK_TRANSITIONS, type TaskPriority, type TaskSort, type TaskStatus } from '@tasks/schemas';

export const STATUS_LABELS: Record<TaskStatus, string> = {
  PENDING: 'Pending',
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

export const PRIORITY_LABELS: Record<TaskPriority, string> = {
  LOW: 'Low',
  MEDIUM: 'Medium',
  HIGH: 'High',
  URGENT: 'Urgent',
};

export const SORT_LABELS: Record<TaskSort, string> = {
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  '-updatedAt': 'Recently updated',
  updatedAt: 'Least recently updated',
  '-priority': 'Highest priority',
  priority: 'Lowest priority',
};

export interface LifecycleAction {
  to: TaskStatus;
  label: string;
}

function actionLabel(from: TaskStatus, to: TaskStatus): string {
  switch (to) {
    case 'RUNNING':
      return 'Start';
    case 'COMPLETED':
      return 'Complete';
    case 'FAILED':
      return 'Fail…';
    case 'CANCELLED':
      return 'Cancel task';
    case 'PENDING':
      return from === 'FAILED' ? 'Retry' : 'Reopen';
  }
}

/** The moves the lifecycle allows from `status`, straight from the shared TASK_TRANSITIONS. */
export function actionsFor(status: TaskStatus): LifecycleAction[] {
  return TASK_TRANSITIONS[status].map((to) => ({ to, label: actionLabel(status, to) }));
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}
