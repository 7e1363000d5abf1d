import type { Task } from '@tasks/schemas';
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useEffectEvent, useState } from 'react';
import { isUnauthorized, messageOf } from '../../lib/errors.js';
import { Alert } from '../../components/Field.js';
import { CreateTaskForm } from './CreateTaskForm.js';
import { TaskDetail } from './TaskDetail.js';
import { TaskFilters } from './TaskFilters.js';
import { PriorityBadge, StatusBadge } from './StatusBadge.js';
import { formatDate } from './task-labels.js';
import { newer, taskKeys, type Filter } from './task-cache.js';
import { PAGE_SIZE, createTasksQueryClient, useTaskDetail, useTaskList } from './task-queries.js';
import { useTaskEvents } from './use-task-events.js';

interface TasksScreenProps {
  onSessionEnded(): void;
}

/** The signed-in screen, with its own query cache (nothing of one user's data outlives the session). */
export function TasksScreen(props: TasksScreenProps) {
  const [client] = useState(createTasksQueryClient);
  return (
    <QueryClientProvider client={client}>
      <TasksView {...props} />
    </QueryClientProvider>
  );
}

function TasksView({ onSessionEnded }: TasksScreenProps) {
  const client = useQueryClient();
  const [filter, setFilter] = useState<Filter>({ status: '', priority: '', sort: '-createdAt', offset: 0 });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string>();
  const list = useTaskList(filter);
  const detail = useTaskDetail(selectedId);
  const selected = selectedId === null ? null : (detail.data ?? null);
  const sessionEnded = useEffectEvent(onSessionEnded);

  const live = useTaskEvents({
    onSessionEnded,
    onDeletedElsewhere: (id) => {
      if (id !== selectedId) return;
      setSelectedId(null);
      setNotice('The task you had open was deleted.');
    },
  });

  // A page read past the end (after deletions) came back as the last page: follow it.
  const page = list.isPlaceholderData ? undefined : list.data;
  if (page !== undefined && page.offset !== filter.offset) setFilter({ ...filter, offset: page.offset });

  useEffect(() => {
    if (isUnauthorized(list.error) || isUnauthorized(detail.error)) sessionEnded();
  }, [list.error, detail.error]);
  const listError = list.error === null || isUnauthorized(list.error) ? undefined : messageOf(list.error);
  const shown = list.data;

  const update = (patch: Partial<Filter>) => setFilter((f) => ({ ...f, offset: 0, ...patch }));

  const deleted = (id: string) => {
    setSelectedId((current) => (current === id ? null : current));
    setNotice('Task deleted.');
    void client.invalidateQueries({ queryKey: taskKeys.lists() });
  };

  const open = (task: Task) => {
    setNotice(undefined);
    // The list copy shows at once; the detail query then reads the current one.
    client.setQueryData<Task>(taskKeys.detail(task.id), (current) => newer(current, task));
    void client.invalidateQueries({ queryKey: taskKeys.detail(task.id) });
    setSelectedId(task.id);
  };

  const total = shown?.total ?? 0;
  const offset = filter.offset;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + PAGE_SIZE, total);

  return (
    <div className={`layout${selected !== null ? ' has-selection' : ''}`}>
      <div className="list-pane">
        <CreateTaskForm onSessionEnded={onSessionEnded} />

        <section className="card" aria-labelledby="list-title">
          <div className="list-head">
            <h2 id="list-title">Your tasks</h2>
            <span className={`live ${live ? 'on' : 'off'}`} role="status" title="Changes from other tabs and devices appear here live">
              {live ? 'Live' : 'Offline'}
            </span>
          </div>
          <TaskFilters filter={filter} onChange={update} />

          <Alert message={notice} tone="info" />
          <Alert message={listError} />
          {shown === undefined && listError === undefined && <p className="muted">Loading…</p>}
          {shown !== undefined && shown.items.length === 0 && (
            <p className="muted empty">
              {filter.status === '' && filter.priority === '' ? 'No tasks yet. Add your first one above.' : 'No tasks match these filters.'}
            </p>
          )}
          {shown !== undefined && shown.items.length > 0 && (
            <ul className="task-list" aria-label="Tasks">
              {shown.items.map((task) => (
                <li key={task.id}>
                  <button
                    type="button"
                    className={`task-row${selectedId === task.id ? ' selected' : ''}`}
                    aria-current={selectedId === task.id ? 'true' : undefined}
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
              <button type="button" onClick={() => setFilter((f) => ({ ...f, offset: f.offset - PAGE_SIZE }))} disabled={offset === 0}>
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
            onDeleted={deleted}
            onClose={() => setSelectedId(null)}
            onSessionEnded={onSessionEnded}
          />
        </div>
      )}
    </div>
  );
}
