import { TASK_PRIORITIES, type TaskPriority } from '@tasks/schemas';
import { controlProps } from '../../components/Field.js';
import { PRIORITY_LABELS } from './task-labels.js';

/** The priority picker of the create and edit forms, wired to its Field's id and error. */
export function PrioritySelect({ id, value, error, onChange }: {
  id: string;
  value: TaskPriority;
  error: string | undefined;
  onChange(priority: TaskPriority): void;
}) {
  return (
    <select {...controlProps(id, error)} value={value} onChange={(event) => onChange(event.target.value as TaskPriority)}>
      {TASK_PRIORITIES.map((priority) => (
        <option key={priority} value={priority}>
          {PRIORITY_LABELS[priority]}
        </option>
      ))}
    </select>
  );
}
