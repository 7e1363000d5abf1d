import type { Task, TaskStatus } from '@tasks/schemas';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../../lib/api/client.js';
import type { FormErrors } from '../../lib/errors.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { EditTaskForm } from './EditTaskForm.js';
import { PriorityBadge, StatusBadge } from './StatusBadge.js';
import { TaskLogs } from './TaskLogs.js';
import { actionsFor, formatDate } from './task-labels.js';
import { handleTaskError, type TaskErrorHandlers } from './task-errors.js';

interface TaskDetailProps {
  task: Task;
  onChanged(task: Task): void;
  onDeleted(id: string): void;
  /**
   * Called before the delete request (its own event may arrive before the response does); returns
   * the undo for a delete that fails, so a later deletion elsewhere is announced again.
   */
  onDeleting(id: string): () => void;
  onClose(): void;
  onSessionEnded(): void;
}

type Panel = 'none' | 'edit' | 'fail';

export function TaskDetail({ task, onChanged, onDeleted, onDeleting, onClose, onSessionEnded }: TaskDetailProps) {
  const [panel, setPanel] = useState<Panel>('none');
  const [errorMessage, setErrorMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  // Keyboard and screen-reader users land on the task they opened.
  useEffect(() => heading.current?.focus(), [task.id]);

  const handlers: TaskErrorHandlers = {
    onSessionEnded,
    onGone: () => onDeleted(task.id),
    onStale: () => {
      api.getTaskById(task.id).then(onChanged, () => undefined);
    },
  };

  const act = async (change: () => Promise<Task>, fields: readonly string[] = []) => {
    setBusy(true);
    setErrors({ fields: {} });
    try {
      onChanged(await change());
      setPanel('none');
      setErrorMessage('');
    } catch (error) {
      setErrors(handleTaskError(error, fields, handlers));
    } finally {
      setBusy(false);
    }
  };

  const move = (to: TaskStatus) => {
    if (to === 'FAILED') {
      setPanel('fail');
      return;
    }
    void act(() => api.updateTask(task.id, { status: to }, { ifMatch: task.version }));
  };

  const fail = (event: FormEvent) => {
    event.preventDefault();
    const message = errorMessage.trim();
    void act(
      () => api.updateTask(task.id, { status: 'FAILED', errorMessage: message === '' ? null : message }, { ifMatch: task.version }),
      ['errorMessage'],
    );
  };

  const remove = async () => {
    setBusy(true);
    const notDeleting = onDeleting(task.id);
    try {
      await api.deleteTask(task.id);
      setConfirmDelete(false);
      onDeleted(task.id);
    } catch (error) {
      notDeleting();
      setConfirmDelete(false);
      setErrors(handleTaskError(error, [], handlers));
      setBusy(false);
    }
  };

  return (
    <article className="card detail" aria-labelledby="detail-title" data-testid="task-detail">
      <div className="detail-head">
        <button type="button" className="link back" onClick={onClose}>
          ← All tasks
        </button>
        <h2 id="detail-title" ref={heading} tabIndex={-1}>
          {task.title}
        </h2>
        <div className="badges">
          <StatusBadge status={task.status} />
          <PriorityBadge priority={task.priority} />
        </div>
      </div>

      {panel === 'edit' ? (
        <EditTaskForm
          key={task.id}
          task={task}
          onSaved={(saved) => {
            onChanged(saved);
            setPanel('none');
          }}
          onCancel={() => setPanel('none')}
          {...handlers}
        />
      ) : (
        <>
          {task.description !== null && <p className="description">{task.description}</p>}
          {task.status === 'FAILED' && task.errorMessage !== null && (
            <p className="failure" data-testid="task-error-message">
              <strong>Error:</strong> {task.errorMessage}
            </p>
          )}
          <dl className="times">
            <dt>Created</dt>
            <dd>{formatDate(task.createdAt)}</dd>
            {task.startedAt !== null && (
              <>
                <dt>Started</dt>
                <dd>{formatDate(task.startedAt)}</dd>
              </>
            )}
            {task.completedAt !== null && (
              <>
                <dt>Completed</dt>
                <dd>{formatDate(task.completedAt)}</dd>
              </>
            )}
            {task.failedAt !== null && (
              <>
                <dt>Failed</dt>
                <dd>{formatDate(task.failedAt)}</dd>
              </>
            )}
          </dl>
          <div className="actions" role="group" aria-label="Change status">
            {actionsFor(task.status).map((action) => (
              <button
                key={action.to}
                type="button"
                className={action.to === 'CANCELLED' ? 'quiet' : action.to === 'FAILED' ? 'danger' : 'primary'}
                onClick={() => move(action.to)}
                disabled={busy}
              >
                {action.label}
              </button>
            ))}
            <button type="button" onClick={() => setPanel('edit')} disabled={busy}>
              Edit
            </button>
            <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={busy}>
              Delete
            </button>
          </div>
          {panel === 'fail' && (
            <form className="fail-form" onSubmit={fail} noValidate>
              <Field id="fail-message" label="What went wrong? (optional)" error={errors.fields.errorMessage}>
                <textarea
                  {...controlProps('fail-message', errors.fields.errorMessage)}
                  value={errorMessage}
                  rows={2}
                  onChange={(event) => setErrorMessage(event.target.value)}
                  autoFocus
                />
              </Field>
              <div className="actions">
                <button type="submit" className="danger" disabled={busy}>
                  Mark as failed
                </button>
                <button type="button" onClick={() => setPanel('none')}>
                  Back
                </button>
              </div>
            </form>
          )}
          <Alert message={errors.message} />
        </>
      )}

      <TaskLogs key={task.id} task={task} onChanged={onChanged} {...handlers} />

      <ConfirmDialog
        open={confirmDelete}
        title="Delete this task?"
        message={`“${task.title}” and its logs will be removed. This cannot be undone.`}
        confirmLabel="Delete task"
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirmDelete(false)}
      />
    </article>
  );
}
