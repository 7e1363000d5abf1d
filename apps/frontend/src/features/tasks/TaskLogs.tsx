import { TASK_LOG_LEVELS, type Task, type TaskLogLevel } from '@tasks/schemas';
import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api/client.js';
import type { FormErrors } from '../../lib/errors.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { formatDate } from './task-labels.js';
import { handleTaskError, type TaskErrorHandlers } from './task-errors.js';

interface TaskLogsProps extends TaskErrorHandlers {
  task: Task;
  onChanged(task: Task): void;
}

export function TaskLogs({ task, onChanged, ...handlers }: TaskLogsProps) {
  const [message, setMessage] = useState('');
  const [level, setLevel] = useState<TaskLogLevel>('info');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({ fields: {} });
    try {
      const sent = message;
      onChanged(await api.appendLog(task.id, { message: sent, level }));
      // Keep whatever was typed while the request was in flight.
      setMessage((current) => (current === sent ? '' : current));
    } catch (error) {
      setErrors(handleTaskError(error, ['message', 'level'], handlers));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="logs" aria-labelledby="logs-title">
      <h3 id="logs-title">Logs</h3>
      {task.logs.length === 0 ? (
        <p className="muted">No log entries yet.</p>
      ) : (
        <ol className="log-list" data-testid="log-list">
          {task.logs.map((entry, index) => (
            <li key={`${entry.at}-${index}`} className={`log log-${entry.level}`}>
              <time dateTime={entry.at}>{formatDate(entry.at)}</time>
              <span className="log-level">{entry.level}</span>
              <span className="log-message">{entry.message}</span>
            </li>
          ))}
        </ol>
      )}
      <form className="log-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field id="log-message" label="Add a log entry" error={errors.fields.message}>
          <input
            {...controlProps('log-message', errors.fields.message)}
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            autoComplete="off"
          />
        </Field>
        <div className="row">
          <Field id="log-level" label="Level" error={errors.fields.level}>
            <select
              {...controlProps('log-level', errors.fields.level)}
              value={level}
              onChange={(event) => setLevel(event.target.value as TaskLogLevel)}
            >
              {TASK_LOG_LEVELS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={busy}>
            Add log
          </button>
        </div>
        <Alert message={errors.message} />
      </form>
    </section>
  );
}
