import type { Task } from '@tasks/schemas';
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useEffectEvent, useState } from 'react';
import { isUnauthorized, messageOf } from '../../lib/errors.js';
import { Alert } from '../../components/Field.js';
import { CreateTaskForm } from './CreateTaskForm.js';
import { TaskDetail } from './TaskDetail.js';
import { TaskFilters } from './TaskFilters.js';
import { TaskList } from './TaskList.js';
import { BulkActions } from './BulkActions.js';
import { StatusBar } from './StatusBar.js';
import { newer, taskKeys, type Filter } from './task-cache.js';
import { PAGE_SIZE, createTasksQueryClient, useTaskDetail, useTaskList } from './task-queries.js';
import { useTaskSync, type SyncStatus } from './use-task-sync.js';

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
  const [filter, setFilter] = useState<Filter>({ status: '', priority: '', sort: '-createdAt', offset: 0, q: '' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [checked, setChecked] = useState<ReadonlyMap<string, Task>>(new Map());
  const [notice, setNotice] = useState<string>();
  const list = useTaskList(filter);
  const detail = useTaskDetail(selectedId);
  const selected = selectedId === null ? null : (detail.data ?? null);
  const sessionEnded = useEffectEvent(onSessionEnded);

  const sync = useTaskSync({
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

  const check = (tasks: readonly Task[], on: boolean) =>
    setChecked((current) => {
      const next = new Map(current);
      for (const task of tasks) {
        if (on) next.set(task.id, task);
        else next.delete(task.id);
      }
      return next;
    });

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
            <span className={`live ${sync.live ? 'on' : 'off'}`} role="status" title="Changes from other tabs and devices appear here live">
              {sync.live ? 'Live' : 'Offline'}
            </span>
          </div>
          <SyncNote status={sync} />
          <StatusBar />
          <TaskFilters filter={filter} onChange={update} />

          <Alert message={notice} tone="info" />
          <Alert message={listError} />
          {shown === undefined && listError === undefined && <p className="muted">Loading…</p>}
          {shown !== undefined && shown.items.length === 0 && (
            <p className="muted empty">
              {filter.status === '' && filter.priority === '' && filter.q.trim() === ''
                ? 'No tasks yet. Add your first one above.'
                : 'No tasks match these filters.'}
            </p>
          )}
          <BulkActions selected={checked} shown={shown?.items ?? []} onDone={() => setChecked(new Map())} onSessionEnded={onSessionEnded} />
          {shown !== undefined && shown.items.length > 0 && (
            <TaskList
              tasks={shown.items}
              openId={selectedId}
              selected={checked}
              onOpen={open}
              onSelect={(task, on) => check([task], on)}
              onSelectAll={(on) => check(shown.items, on)}
            />
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

/** A polite line after a reconnect: how many changes the list caught up on. */
function SyncNote({ status }: { status: SyncStatus }) {
  const caughtUp = status.caughtUp;
  const text =
    caughtUp === null
      ? ''
      : caughtUp.relisted
        ? 'Reloaded the list after a long time away.'
        : caughtUp.changes === 0
          ? 'Back online; nothing changed meanwhile.'
          : `Caught up on ${caughtUp.changes} change${caughtUp.changes === 1 ? '' : 's'}.`;
  return (
    <p className="sync-note muted" role="status" data-testid="sync-note">
      {text}
    </p>
  );
}
