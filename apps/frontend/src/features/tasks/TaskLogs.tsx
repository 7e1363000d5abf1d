import { TASK_LOG_LEVELS, type LogEntry, type Task, type TaskLogLevel } from '@tasks/schemas';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../lib/api/client.js';
import type { FormErrors } from '../../lib/errors.js';
import { Alert, Field, controlProps } from '../../components/Field.js';
import { formatDate } from './task-labels.js';
import { handleTaskError, type TaskErrorHandlers } from './task-errors.js';

interface TaskLogsProps extends TaskErrorHandlers {
  task: Task;
  onChanged(task: Task): void;
}

export const LOG_PAGE_SIZE = 50;

/** `incoming` before `known`, each entry once, newest first (both lists are newest first). */
function mergeNewest(incoming: readonly LogEntry[], known: readonly LogEntry[]): LogEntry[] {
  const ids = new Set(incoming.map((entry) => entry.id));
  return [...incoming, ...known.filter((entry) => !ids.has(entry.id))];
}

/**
 * The task's log, newest first, read page by page from `GET /api/tasks/:id/logs`. A change of the
 * task that is exactly one append (one version on, an unknown `lastLog`) adds that entry; any other
 * jump re-reads the first page, so entries appended elsewhere in between are not missed.
 */
export function TaskLogs({ task, onChanged, ...handlers }: TaskLogsProps) {
  const [message, setMessage] = useState('');
  const [level, setLevel] = useState<TaskLogLevel>('info');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  // How many times the first page must be read again (a jump of more than one change).
  const [rereads, setRereads] = useState(0);
  const [seen, setSeen] = useState(task);

  // Adjusting state to a newer task while rendering, as React recommends over an effect.
  if (task !== seen) {
    setSeen(task);
    const last = task.lastLog;
    if (task.version > seen.version && last !== null && last.id !== seen.lastLog?.id) {
      if (task.version === seen.version + 1) {
        setEntries((known) => (known.some((entry) => entry.id === last.id) ? known : [last, ...known]).slice(0, task.logCount));
      } else {
        setRereads((count) => count + 1);
      }
    }
  }

  useEffect(() => {
    let current = true;
    api.listLogs(task.id, { limit: LOG_PAGE_SIZE }).then(
      (page) => {
        if (!current) return;
        // The first read sets the paging; a re-read only adds what is new.
        setEntries((known) => (rereads === 0 ? page.items : mergeNewest(page.items, known)));
        if (rereads === 0) setNextCursor(page.nextCursor);
        setLoading(false);
      },
      (error: unknown) => {
        if (!current) return;
        setLoading(false);
        setErrors(handleTaskError(error, [], handlers));
      },
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reads again only for another task or a re-read
  }, [task.id, rereads]);

  const loadMore = async () => {
    if (nextCursor === null) return;
    setLoading(true);
    try {
      const page = await api.listLogs(task.id, { limit: LOG_PAGE_SIZE, cursor: nextCursor });
      setEntries((known) => [...known, ...page.items.filter((entry) => !known.some((k) => k.id === entry.id))]);
      setNextCursor(page.nextCursor);
    } catch (error) {
      setErrors(handleTaskError(error, [], handlers));
    } finally {
      setLoading(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({ fields: {} });
    try {
      const sent = message;
      const entry = await api.appendLog(task.id, { message: sent, level });
      setEntries((known) => mergeNewest([entry], known));
      // Keep whatever was typed while the request was in flight.
      setMessage((current) => (current === sent ? '' : current));
      // The event brings the changed task too; reading it keeps the version right without a socket.
      api.getTaskById(task.id).then(onChanged, () => undefined);
    } catch (error) {
      setErrors(handleTaskError(error, ['message', 'level'], handlers));
    } finally {
      setBusy(false);
    }
  };

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
      {nextCursor !== null && (
        <button type="button" className="link" onClick={() => void loadMore()} disabled={loading}>
          Load older entries
        </button>
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
