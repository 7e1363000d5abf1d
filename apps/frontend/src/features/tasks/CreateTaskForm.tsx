import type { TaskPriority } from '@tasks/schemas';
import { useState } from 'react';
import { formErrorsOf, isUnauthorized } from '../../lib/errors.js';
import { useSubmit } from '../../lib/use-submit.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { PrioritySelect } from './PrioritySelect.js';
import { useCreateTask } from './task-mutations.js';

export function CreateTaskForm({ onSessionEnded }: { onSessionEnded(): void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<TaskPriority>('MEDIUM');
  const createTask = useCreateTask();
  const { busy, errors, onSubmit } = useSubmit((error, fields) => {
    if (!isUnauthorized(error)) return formErrorsOf(error, fields);
    onSessionEnded();
    return { fields: {} };
  });

  const submit = onSubmit(
    () => createTask.mutateAsync({ title, priority, ...(description.trim() === '' ? {} : { description }) }),
    {
      fields: ['title', 'description', 'priority'],
      onSuccess: () => {
        // Keep whatever was typed while the request was in flight (this closure holds what was sent).
        setTitle((current) => (current === title ? '' : current));
        setDescription((current) => (current === description ? '' : current));
      },
    },
  );

  return (
    <form className="card create" aria-labelledby="create-title" onSubmit={submit} noValidate>
      <h2 id="create-title">New task</h2>
      <Field id="new-title" label="Title" error={errors.fields.title}>
        <input
          {...controlProps('new-title', errors.fields.title)}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          placeholder="What needs doing?"
          autoComplete="off"
        />
      </Field>
      <Field id="new-description" label="Description (optional)" error={errors.fields.description}>
        <textarea
          {...controlProps('new-description', errors.fields.description)}
          value={description}
          rows={2}
          onChange={(event) => setDescription(event.target.value)}
        />
      </Field>
      <div className="row">
        <Field id="new-priority" label="Priority" error={errors.fields.priority}>
          <PrioritySelect id="new-priority" value={priority} error={errors.fields.priority} onChange={setPriority} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          Add task
        </button>
      </div>
      <Alert message={errors.message} />
    </form>
  );
}
