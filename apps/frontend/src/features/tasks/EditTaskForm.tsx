import type { Task, TaskPriority } from '@tasks/schemas';
import { useState } from 'react';
import { useSubmit } from '../../lib/use-submit.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { PrioritySelect } from './PrioritySelect.js';
import { handleTaskError, type TaskErrorHandlers } from './task-errors.js';
import { useUpdateTask } from './task-mutations.js';

interface EditTaskFormProps extends TaskErrorHandlers {
  task: Task;
  onSaved(task: Task): void;
  onCancel(): void;
}

/** Edits title, description and priority; the save is conditional on the version it started from. */
export function EditTaskForm({ task, onSaved, onCancel, ...handlers }: EditTaskFormProps) {
  const [baseVersion] = useState(task.version);
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? '');
  const [priority, setPriority] = useState<TaskPriority>(task.priority);
  const updateTask = useUpdateTask();
  const { busy, errors, onSubmit } = useSubmit((error, fields) => handleTaskError(error, fields, handlers));

  const submit = onSubmit(
    () => {
      const patch = { title, description: description.trim() === '' ? null : description, priority };
      return updateTask.mutateAsync({ id: task.id, patch, ifMatch: baseVersion });
    },
    { fields: ['title', 'description', 'priority'], onSuccess: onSaved },
  );

  return (
    <form className="edit" aria-label="Edit task" onSubmit={submit} noValidate>
      <Field id="edit-title" label="Title" error={errors.fields.title}>
        <input
          {...controlProps('edit-title', errors.fields.title)}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          autoComplete="off"
          autoFocus
        />
      </Field>
      <Field id="edit-description" label="Description" error={errors.fields.description}>
        <textarea
          {...controlProps('edit-description', errors.fields.description)}
          value={description}
          rows={4}
          onChange={(event) => setDescription(event.target.value)}
        />
      </Field>
      <Field id="edit-priority" label="Priority" error={errors.fields.priority}>
        <PrioritySelect id="edit-priority" value={priority} error={errors.fields.priority} onChange={setPriority} />
      </Field>
      <Alert message={errors.message} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Discard changes
        </button>
      </div>
    </form>
  );
}
