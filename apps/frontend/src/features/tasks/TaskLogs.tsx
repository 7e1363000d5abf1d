import { TASK_LOG_LEVELS, type Task, type TaskLogLevel } from '@tasks/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../lib/api/client.js';
import { useSubmit } from '../../lib/use-submit.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { formatDate } from './task-labels.js';
import { handleTaskError, type TaskErrorHandlers } from './task-errors.js';
import { useAppendLog } from './task-mutations.js';
import { loadedEntries, logsReceived, taskKeys } from './task-cache.js';
import { LOG_PAGE_SIZE, useTaskLogs } from './task-queries.js';

interface TaskLogsProps extends TaskErrorHandlers {
  task: Task;
}

/**
 * The task's log, newest first, read page by page from `GET /api/tasks/:id/logs`. A change of the
 * task that is exactly one append (one version on, an unknown `lastLog`) adds that entry; any other
 * jump re-reads the first page, so entries appended elsewhere in between are not missed.
 */
export function TaskLogs({ task, ...handlers }: TaskLogsProps) {
  const client = useQueryClient();
  const [message, setMessage] = useState('');
  const [level, setLevel] = useState<TaskLogLevel>('info');
  const logs = useTaskLogs(task.id);
  const appendLog = useAppendLog(task);
  const toErrors = (error: unknown, fields: readonly string[]) => handleTaskError(error, fields, handlers);
  const { busy, errors, showError, onSubmit } = useSubmit(toErrors);
  const seen = useRef(task);

  useEffect(() => {
    const before = seen.current;
    seen.current = task;
    const last = task.lastLog;
    if (task.version <= before.version || last === null || last.id === before.lastLog?.id) return;
    const loaded = client.getQueryData(taskKeys.logs(task.id)) !== undefined;
    if (task.version === before.version + 1 && loaded) {
      logsReceived(client, task.id, [last], task.logCount);
    } else if (!loaded) {
      // Before the first page has arrived, reading it again is enough.
      void client.invalidateQueries({ queryKey: taskKeys.logs(task.id) });
    } else {
      api.listLogs(task.id, { limit: LOG_PAGE_SIZE }).then((page) => logsReceived(client, task.id, page.items), () => undefined);
    }
  }, [client, task]);

  // Reading the log fails like any task request (gone, session ended).
  useEffect(() => {
    if (logs.error !== null) showError(logs.error);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per failure
  }, [logs.error]);

  const entries = loadedEntries(logs.data);
  const loading = logs.isPending || logs.isFetchingNextPage;

  const submit = onSubmit(() => appendLog.mutateAsync({ message, level }), {
    fields: ['message', 'level'],
    // Keep whatever was typed while the request was in flight (this closure holds what was sent).
    onSuccess: () => setMessage((current) => (current === message ? '' : current)),
  });

  return (
    <section className="logs" aria-labelledby="logs-title">
      <h3 id="logs-title">Logs</h3>
      {entries.length === 0 ? (
        <p className="muted">{loading ? 'Loading…' : 'No log entries yet.'}</p>
      ) : (
        <ol className="log-list" data-testid="log-list" aria-label="Log entries, newest first">
          {entries.map((entry) => (
            <li key={entry.id} className={`log log-${entry.level}`}>
              <time dateTime={entry.at}>{formatDate(entry.at)}</time>
              <span className="log-level">{entry.level}</span>
              <span className="log-message">{entry.message}</span>
            </li>
          ))}
        </ol>
      )}
      {logs.hasNextPage && (
        <button type="button" className="link" onClick={() => void logs.fetchNextPage()} disabled={loading}>
          Load older entries
        </button>
      )}
      <form className="log-form" onSubmit={submit} noValidate>
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
