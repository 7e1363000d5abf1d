import { TASK_PRIORITIES, TASK_SORTS, TASK_STATUSES, type TaskPriority, type TaskSort, type TaskStatus } from '@tasks/schemas';
import type { Filter } from './task-cache.js';
import { PRIORITY_LABELS, SORT_LABELS, STATUS_LABELS } from './task-labels.js';
import { SearchBox } from './SearchBox.js';

interface FilterSelectProps<V extends string> {
  id: string;
  label: string;
  value: V | '';
  values: readonly V[];
  labels: Readonly<Record<V, string>>;
  /** The option for "no filter"; absent where a value is always chosen (sort). */
  allLabel?: string;
  onChange(value: V | ''): void;
}

/** One labelled select over a list of values: the status, priority and sort controls share it. */
function FilterSelect<V extends string>({ id, label, value, values, labels, allLabel, onChange }: FilterSelectProps<V>) {
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as V | '')}>
        {allLabel !== undefined && <option value="">{allLabel}</option>}
        {values.map((option) => (
          <option key={option} value={option}>
            {labels[option]}
          </option>
        ))}
      </select>
    </div>
  );
}

export function TaskFilters({ filter, onChange }: { filter: Filter; onChange(patch: Partial<Filter>): void }) {
  return (
    <div className="filters" role="group" aria-label="Filter and sort">
      <SearchBox value={filter.q} onSearch={(q) => onChange({ q })} />
      <FilterSelect<TaskStatus>
        id="filter-status"
        label="Status"
        value={filter.status}
        values={TASK_STATUSES}
        labels={STATUS_LABELS}
        allLabel="All statuses"
        onChange={(status) => onChange({ status })}
      />
      <FilterSelect<TaskPriority>
        id="filter-priority"
        label="Priority"
        value={filter.priority}
        values={TASK_PRIORITIES}
        labels={PRIORITY_LABELS}
        allLabel="All priorities"
        onChange={(priority) => onChange({ priority })}
      />
      <FilterSelect<TaskSort>
        id="filter-sort"
        label="Sort by"
        value={filter.sort}
        values={TASK_SORTS}
        labels={SORT_LABELS}
        onChange={(sort) => {
          if (sort !== '') onChange({ sort });
        }}
      />
    </div>
  );
}
