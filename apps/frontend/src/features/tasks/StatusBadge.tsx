import type { TaskPriority, TaskStatus } from '@tasks/schemas';
import { PRIORITY_LABELS, STATUS_LABELS } from './task-labels.js';

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-testid="task-status">
      {STATUS_LABELS[status]}
    </span>
  );
}

export function PriorityBadge({ priority }: { priority: TaskPriority }) {
  return (
    <span className={`badge priority-${priority.toLowerCase()}`} data-testid="task-priority">
      {PRIORITY_LABELS[priority]}
    </span>
  );
}
