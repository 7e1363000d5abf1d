import type { Task, TaskPriority } from '@tasks/schemas';
import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api/client.js';
import { formErrorsOf, isUnauthorized, type FormErrors } from '../../lib/errors.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { PrioritySelect } from './PrioritySelect.js';

interface CreateTaskFormProps {
  onCreated(task: Task): void;
  onSessionEnded(): void;
}

export function CreateTaskForm({ onCreated, onSessionEnded }: CreateTaskFormProps) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<TaskPriority>('MEDIUM');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({ fields: {} });
    try {
      const sent = { title, description };
      const task = await api.createTask({
        title,
        priority,
        ...(description.trim() === '' ? {} : { description }),
      });
      // Keep whatever was typed while the request was in flight.
      setTitle((current) => (current === sent.title ? '' : current));
      setDescription((current) => (current === sent.description ? '' : current));
      onCreated(task);
    } catch (error) {
      if (isUnauthorized(error)) onSessionEnded();
      else setErrors(formErrorsOf(error, ['title', 'description', 'priority']));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card create" aria-labelledby="create-title" onSubmit={(event) => void submit(event)} noValidate>
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
