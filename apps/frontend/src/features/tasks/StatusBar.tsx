import { TASK_STATUSES } from '@tasks/schemas';
import { STATUS_LABELS } from './task-labels.js';
import { useTaskStats } from './task-queries.js';

/**
 * The status counts as one stacked bar above the list (kept live: the sync re-reads the counts on
 * every change). Screen readers get the counts from the bar's label; the legend repeats them visually.
 */
export function StatusBar() {
  const stats = useTaskStats();
  if (stats.data === undefined) return null;
  const { total, byStatus } = stats.data;
  const label = `Tasks by status: ${TASK_STATUSES.map((status) => `${byStatus[status]} ${STATUS_LABELS[status].toLowerCase()}`).join(', ')}`;
  return (
    <div className="status-bar" data-testid="status-bar">
      <div className="status-bar-track" role="img" aria-label={label}>
        {total > 0 &&
          TASK_STATUSES.filter((status) => byStatus[status] > 0).map((status) => (
            <span
              key={status}
              className={`status-bar-part status-${status.toLowerCase()}`}
              style={{ flexGrow: byStatus[status] }}
              title={`${STATUS_LABELS[status]}: ${byStatus[status]}`}
            />
          ))}
      </div>
      <ul className="status-bar-legend" aria-hidden="true">
        {TASK_STATUSES.map((status) => (
          <li key={status} className={`status-${status.toLowerCase()}`}>
            <span className="status-bar-dot" /> {STATUS_LABELS[status]} {byStatus[status]}
          </li>
        ))}
      </ul>
    </div>
  );
}
