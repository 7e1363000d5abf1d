import type { Task, TaskStatus } from '@tasks/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSubmit } from '../../lib/use-submit.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { EditTaskForm } from './EditTaskForm.js';
import { PriorityBadge, StatusBadge } from './StatusBadge.js';
import { TaskLogs } from './TaskLogs.js';
import { TaskHistory } from './TaskHistory.js';
import { actionsFor, formatDate } from './task-labels.js';
import { handleTaskError, type TaskErrorHandlers } from './task-errors.js';
import { refreshTask, useDeleteTask, useUpdateTask } from './task-mutations.js';

interface TaskDetailProps {
  task: Task;
  onDeleted(id: string): void;
  onClose(): void;
  onSessionEnded(): void;
}

type Panel = 'none' | 'edit' | 'fail';

export function TaskDetail({ task, onDeleted, onClose, onSessionEnded }: TaskDetailProps) {
  const client = useQueryClient();
  const [panel, setPanel] = useState<Panel>('none');
  const [errorMessage, setErrorMessage] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const updateTask = useUpdateTask();
  const deleteTask = useDeleteTask();

  // Keyboard and screen-reader users land on the task they opened.
  useEffect(() => heading.current?.focus(), [task.id]);

  const handlers: TaskErrorHandlers = {
    onSessionEnded,
    onGone: () => onDeleted(task.id),
    onStale: () => refreshTask(client, task.id),
  };
  const { busy, errors, run, onSubmit } = useSubmit((error, fields) => handleTaskError(error, fields, handlers));

  const changed = () => {
    setPanel('none');
    setErrorMessage('');
  };

  const move = (to: TaskStatus) => {
    if (to === 'FAILED') {
      setPanel('fail');
      return;
    }
    void run(() => updateTask.mutateAsync({ id: task.id, patch: { status: to }, ifMatch: task.version }), { onSuccess: changed });
  };

  const fail = onSubmit(
    () => {
      const message = errorMessage.trim();
      const patch = { status: 'FAILED' as const, errorMessage: message === '' ? null : message };
      return updateTask.mutateAsync({ id: task.id, patch, ifMatch: task.version });
    },
    { fields: ['errorMessage'], onSuccess: changed },
  );

  const remove = () =>
    run(
      async () => {
        try {
          await deleteTask.mutateAsync(task.id);
        } finally {
          setConfirmDelete(false);
        }
      },
      { onSuccess: () => onDeleted(task.id) },
    );

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
        <EditTaskForm key={task.id} task={task} onSaved={() => setPanel('none')} onCancel={() => setPanel('none')} {...handlers} />
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

      <TaskLogs key={task.id} task={task} {...handlers} />
      <TaskHistory key={`history-${task.id}`} id={task.id} />

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
