import type { Task } from '@tasks/schemas';
import { PriorityBadge, StatusBadge } from './StatusBadge.js';
import { formatDate } from './task-labels.js';

interface TaskListProps {
  tasks: readonly Task[];
  openId: string | null;
  selected: ReadonlyMap<string, Task>;
  onOpen(task: Task): void;
  onSelect(task: Task, selected: boolean): void;
  onSelectAll(selected: boolean): void;
}

/** One page of tasks: a checkbox per row for bulk actions (beside, not inside, the row's button). */
export function TaskList({ tasks, openId, selected, onOpen, onSelect, onSelectAll }: TaskListProps) {
  const all = tasks.length > 0 && tasks.every((task) => selected.has(task.id));
  return (
    <>
      <label className="select-all">
        <input type="checkbox" checked={all} onChange={(event) => onSelectAll(event.target.checked)} /> Select all on this page
      </label>
      <ul className="task-list" aria-label="Tasks">
        {tasks.map((task) => (
          <li key={task.id} className="task-item">
            <input
              type="checkbox"
              className="task-check"
              aria-label={`Select “${task.title}”`}
              checked={selected.has(task.id)}
              onChange={(event) => onSelect(task, event.target.checked)}
            />
            <button
              type="button"
              className={`task-row${openId === task.id ? ' selected' : ''}`}
              aria-current={openId === task.id ? 'true' : undefined}
              onClick={() => onOpen(task)}
              data-testid="task-row"
            >
              <span className="task-title">{task.title}</span>
              <span className="task-meta">
                <StatusBadge status={task.status} />
                <PriorityBadge priority={task.priority} />
                <time dateTime={task.createdAt}>{formatDate(task.createdAt)}</time>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
