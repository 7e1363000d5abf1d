import {
  SOCKET_UNAUTHORIZED,
  TASK_PRIORITIES,
  TASK_SORTS,
  TASK_STATUSES,
  type Task,
  type TaskList,
  type TaskPriority,
  type TaskSort,
  type TaskStatus,
} from '@tasks/schemas';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { api } from '../../lib/api/client.js';
import { isUnauthorized, messageOf } from '../../lib/errors.js';
import { Alert } from '../../components/Field.js';
import { CreateTaskForm } from './CreateTaskForm.js';
import { TaskDetail } from './TaskDetail.js';
import { PriorityBadge, StatusBadge } from './StatusBadge.js';
import { PRIORITY_LABELS, SORT_LABELS, STATUS_LABELS, formatDate } from './task-labels.js';

export const PAGE_SIZE = 10;

interface Filter {
  status: TaskStatus | '';
  priority: TaskPriority | '';
  sort: TaskSort;
  offset: number;
}

/** The newer of two copies of one task (events and responses can arrive in any order). */
function newer(current: Task | null, incoming: Task): Task {
  return current !== null && current.id === incoming.id && current.version > incoming.version ? current : incoming;
}

export function TasksScreen({ onSessionEnded }: { onSessionEnded(): void }) {
  const [filter, setFilter] = useState<Filter>({ status: '', priority: '', sort: '-createdAt', offset: 0 });
  const [list, setList] = useState<TaskList | null>(null);
  const [listError, setListError] = useState<string>();
  const [selected, setSelected] = useState<Task | null>(null);
  const [notice, setNotice] = useState<string>();
  const [live, setLive] = useState(false);
  // Bumped to fetch the current page again (after a change here or an event from elsewhere).
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);
  // A changed task shows its new state in the list at once; the reload that follows settles
  // whether it still belongs on this page.
  const patchRow = (task: Task) =>
    setList((page) => page && { ...page, items: page.items.map((item) => (item.id === task.id ? newer(item, task) : item)) });
  const sessionEnded = useEffectEvent(onSessionEnded);
  // Tasks this tab is deleting: their `task:deleted` event is ours, not news from elsewhere.
  const deletingHere = useRef(new Set<string>());

  useEffect(() => {
    let current = true; // a newer filter or reload supersedes this response
    api
      .getTasks({
        ...(filter.status === '' ? {} : { status: filter.status }),
        ...(filter.priority === '' ? {} : { priority: filter.priority }),
        sort: filter.sort,
        limit: PAGE_SIZE,
        offset: filter.offset,
      })
      .then(
        (page) => {
          if (!current) return;
          // After deletions the page may be past the end: step back to the last page.
          if (page.items.length === 0 && page.total > 0 && filter.offset > 0) {
            setFilter((f) => ({ ...f, offset: Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE }));
            return;
          }
          setList(page);
          setListError(undefined);
        },
        (error: unknown) => {
          if (!current) return;
          if (isUnauthorized(error)) sessionEnded();
          else setListError(messageOf(error));
        },
      );
    return () => {
      current = false;
    };
  }, [filter, reloads]);

  // Live updates: any event may change which tasks this page shows, so the page is reloaded;
  // the open task is replaced by the event's copy directly.
  const onTaskEvent = useEffectEvent((task: Task | null, deletedId?: string) => {
    if (task !== null) patchRow(task);
    reload();
    if (task !== null) setSelected((current) => (current?.id === task.id ? newer(current, task) : current));
    if (deletedId !== undefined && !deletingHere.current.has(deletedId) && selected?.id === deletedId) {
      setSelected(null);
      setNotice('The task you had open was deleted.');
    }
  });
  const onSubscriptionError = useEffectEvent((error: Error) => {
    if (error.message === SOCKET_UNAUTHORIZED) sessionEnded();
  });
  const onReconnect = useEffectEvent(reload);

  useEffect(() => {
    const subscription = api.subscribe();
    subscription.on('task:created', () => onTaskEvent(null));
    subscription.on('task:updated', (task) => onTaskEvent(task));
    subscription.on('task:deleted', ({ id }) => onTaskEvent(null, id));
    subscription.onError(onSubscriptionError);
    let connectedOnce = false;
    subscription.onConnectionChange((connected) => {
      setLive(connected);
      if (connected && connectedOnce) onReconnect();
      connectedOnce ||= connected;
    });
    return () => subscription.close();
  }, []);

  const update = (patch: Partial<Filter>) => setFilter((f) => ({ ...f, offset: 0, ...patch }));

  const changed = (task: Task) => {
    setSelected((current) => newer(current, task));
    patchRow(task);
    reload();
  };

  const deleted = (id: string) => {
    setSelected((current) => (current?.id === id ? null : current));
    setNotice('Task deleted.');
    reload();
  };

  const open = (task: Task) => {
    setNotice(undefined);
    setSelected(task);
    // The list copy may be a moment old; fetch the current one.
    api.getTaskById(task.id).then(
      (fresh) => setSelected((current) => (current?.id === fresh.id ? newer(current, fresh) : current)),
      (error: unknown) => {
        if (isUnauthorized(error)) onSessionEnded();
      },
    );
  };

  const total = list?.total ?? 0;
  const first = total === 0 ? 0 : filter.offset + 1;
  const last = Math.min(filter.offset + PAGE_SIZE, total);

  return (
    <div className={`layout${selected !== null ? ' has-selection' : ''}`}>
      <div className="list-pane">
        <CreateTaskForm onCreated={reload} onSessionEnded={onSessionEnded} />

        <section className="card" aria-labelledby="list-title">
          <div className="list-head">
            <h2 id="list-title">Your tasks</h2>
            <span className={`live ${live ? 'on' : 'off'}`} role="status" title="Changes from other tabs and devices appear here live">
              {live ? 'Live' : 'Offline'}
            </span>
          </div>
          <div className="filters" role="group" aria-label="Filter and sort">
            <div className="filter">
              <label htmlFor="filter-status">Status</label>
              <select id="filter-status" value={filter.status} onChange={(event) => update({ status: event.target.value as TaskStatus | '' })}>
                <option value="">All statuses</option>
                {TASK_STATUSES.map((value) => (
                  <option key={value} value={value}>
                    {STATUS_LABELS[value]}
                  </option>
                ))}
              </select>
            </div>
            <div className="filter">
              <label htmlFor="filter-priority">Priority</label>
              <select id="filter-priority" value={filter.priority} onChange={(event) => update({ priority: event.target.value as TaskPriority | '' })}>
                <option value="">All priorities</option>
                {TASK_PRIORITIES.map((value) => (
                  <option key={value} value={value}>
                    {PRIORITY_LABELS[value]}
                  </option>
                ))}
              </select>
            </div>
            <div className="filter">
              <label htmlFor="filter-sort">Sort by</label>
              <select id="filter-sort" value={filter.sort} onChange={(event) => update({ sort: event.target.value as TaskSort })}>
                {TASK_SORTS.map((value) => (
                  <option key={value} value={value}>
                    {SORT_LABELS[value]}
                  </option>
                ))}
              </select>
            </div>
          </div>

          <Alert message={notice} tone="info" />
          <Alert message={listError} />
          {list === null && listError === undefined && <p className="muted">Loading…</p>}
          {list !== null && list.items.length === 0 && (
            <p className="muted empty">
              {filter.status === '' && filter.priority === '' ? 'No tasks yet. Add your first one above.' : 'No tasks match these filters.'}
            </p>
          )}
          {list !== null && list.items.length > 0 && (
            <ul className="task-list" aria-label="Tasks">
              {list.items.map((task) => (
                <li key={task.id}>
                  <button
                    type="button"
                    className={`task-row${selected?.id === task.id ? ' selected' : ''}`}
                    aria-current={selected?.id === task.id ? 'true' : undefined}
                    onClick={() => open(task)}
                    data-testid="task-row"
                  >
                    <span className="task-title">{task.title}</span>
                    <span className="task-meta">
                      <StatusBadge status={task.status} />
                      <PriorityBadge priority={task.priority} />
                      <time dateTime={task.createdAt}>{formatDate(task.createdAt)}</time>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {total > 0 && (
            <nav className="pager" aria-label="Pages">
              <button type="button" onClick={() => setFilter((f) => ({ ...f, offset: f.offset - PAGE_SIZE }))} disabled={filter.offset === 0}>
                Previous
              </button>
              <span data-testid="page-info">
                {first}–{last} of {total}
              </span>
              <button type="button" onClick={() => setFilter((f) => ({ ...f, offset: f.offset + PAGE_SIZE }))} disabled={last >= total}>
                Next
              </button>
            </nav>
          )}
        </section>
      </div>

      {selected !== null && (
        <div className="detail-pane">
          <TaskDetail
            key={selected.id}
            task={selected}
            onChanged={changed}
            onDeleted={deleted}
            onDeleting={(id) => {
              deletingHere.current.add(id);
              return () => deletingHere.current.delete(id);
            }}
            onClose={() => setSelected(null)}
            onSessionEnded={onSessionEnded}
          />
        </div>
      )}
    </div>
  );
}
