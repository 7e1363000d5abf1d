import { TASK_PRIORITIES, TASK_SORTS, TASK_STATUSES } from '@tasks/schemas';
import type { Filter } from './task-cache.js';
import { PRIORITY_LABELS, SORT_LABELS, STATUS_LABELS } from './task-labels.js';
import { SearchBox } from './SearchBox.js';

type SelectField = 'status' | 'priority' | 'sort';

interface SelectSpec<V extends string> {
  label: string;
  values: readonly V[];
  labels: Readonly<Record<V, string>>;
  /** The option for "no filter"; absent where a value is always chosen (sort). */
  allLabel?: string;
}

/** What each select of the filter offers; the id of its control is `filter-<field>`. */
const SELECTS: { [F in SelectField]: SelectSpec<Exclude<Filter[F], ''>> } = {
  status: { label: 'Status', values: TASK_STATUSES, labels: STATUS_LABELS, allLabel: 'All statuses' },
  priority: { label: 'Priority', values: TASK_PRIORITIES, labels: PRIORITY_LABELS, allLabel: 'All priorities' },
  sort: { label: 'Sort by', values: TASK_SORTS, labels: SORT_LABELS },
};

interface FilterSelectProps<F extends SelectField> {
  field: F;
  filter: Filter;
  onChange(patch: Partial<Filter>): void;
}

/** One labelled select over one field of the filter: the status, priority and sort controls. */
function FilterSelect<F extends SelectField>({ field, filter, onChange }: FilterSelectProps<F>) {
  const { label, values, labels, allLabel }: SelectSpec<Exclude<Filter[F], ''>> = SELECTS[field];
  const id = `filter-${field}`;
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      {/* The select only offers the field's values (and '' where it has an "all" option). */}
      <select id={id} value={filter[field]} onChange={(event) => onChange({ [field]: event.target.value as Filter[F] })}>
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

const FIELDS: readonly SelectField[] = ['status', 'priority', 'sort'];

export function TaskFilters({ filter, onChange }: { filter: Filter; onChange(patch: Partial<Filter>): void }) {
  return (
    <div className="filters" role="group" aria-label="Filter and sort">
      <SearchBox value={filter.q} onSearch={(q) => onChange({ q })} />
      {FIELDS.map((field) => (
        <FilterSelect key={field} field={field} filter={filter} onChange={onChange} />
      ))}
    </div>
  );
}
