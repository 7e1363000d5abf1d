import { TASK_PRIORITIES, TASK_SORTS, TASK_STATUSES, type TaskPriority, type TaskSort, type TaskStatus } from '@tasks/schemas';
import type { Filter } from './task-cache.js';
import { PRIORITY_LABELS, SORT_LABELS, STATUS_LABELS } from './task-labels.js';

export function TaskFilters({ filter, onChange }: { filter: Filter; onChange(patch: Partial<Filter>): void }) {
  return (
    <div className="filters" role="group" aria-label="Filter and sort">
      <div className="filter">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" value={filter.status} onChange={(event) => onChange({ status: event.target.value as TaskStatus | '' })}>
          <option value="">All statuses</option>
          {TASK_STATUSES.map((value) => (
            <option key={value} value={value}>
              {STATUS_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor="filter-priority">Priority</label>
        <select id="filter-priority" value={filter.priority} onChange={(event) => onChange({ priority: event.target.value as TaskPriority | '' })}>
          <option value="">All priorities</option>
          {TASK_PRIORITIES.map((value) => (
            <option key={value} value={value}>
              {PRIORITY_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor="filter-sort">Sort by</label>
        <select id="filter-sort" value={filter.sort} onChange={(event) => onChange({ sort: event.target.value as TaskSort })}>
          {TASK_SORTS.map((value) => (
            <option key={value} value={value}>
              {SORT_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
