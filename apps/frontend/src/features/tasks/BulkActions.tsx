import type { Task } from '@tasks/schemas';
import { useState } from 'react';
import { useSubmit } from '../../lib/use-submit.js';
import { Alert } from '../../components/Field.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { bulkOutcome, type BulkAction, type BulkOutcome } from './task-bulk.js';
import { failedTasks, useBulk } from './use-bulk.js';
import { handleTaskError } from './task-errors.js';

interface BulkActionsProps {
  /** The selected tasks (as last seen), by id. */
  selected: ReadonlyMap<string, Task>;
  /** The tasks on screen, to name failed items by title. */
  shown: readonly Task[];
  onDone(): void;
  onSessionEnded(): void;
}

const plural = (n: number) => `${n} task${n === 1 ? '' : 's'}`;

/** Actions over the selected tasks, and "Retry all failed" over every failed one; per-item failures are listed. */
export function BulkActions({ selected, shown, onDone, onSessionEnded }: BulkActionsProps) {
  const bulk = useBulk();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [result, setResult] = useState<{ verb: string; outcome: BulkOutcome } | null>(null);
  const { busy, errors, run } = useSubmit((error, fields) =>
    handleTaskError(error, fields, { onSessionEnded, onGone: () => undefined, onStale: () => undefined }),
  );
  const failed = [...selected.values()].filter((task) => task.status === 'FAILED');
  const all = () => [...selected.values()];

  const apply = (verb: string, tasks: () => Promise<readonly Task[]> | readonly Task[], action: BulkAction) =>
    run(
      async () => {
        setResult(null);
        const results = await bulk(await tasks(), action);
        return { verb, outcome: bulkOutcome(results, new Map([...shown.map((task) => [task.id, task] as const), ...selected])) };
      },
      {
        onSuccess: (done) => {
          setResult(done);
          setConfirmDelete(false);
          onDone();
        },
      },
    );

  return (
    <div className="bulk" role="group" aria-label="Selected tasks">
      <div className="actions">
        <span className="muted" data-testid="selection-count">{selected.size} selected</span>
        <button type="button" onClick={() => void apply('Retried', () => failed, { kind: 'retry' })} disabled={busy || failed.length === 0}>
          Retry failed
        </button>
        <button type="button" onClick={() => void apply('Cancelled', all, { kind: 'status', status: 'CANCELLED' })} disabled={busy || selected.size === 0}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={busy || selected.size === 0}>
          Delete
        </button>
        <button type="button" onClick={() => void apply('Retried', failedTasks, { kind: 'retry' })} disabled={busy}>
          Retry all failed
        </button>
      </div>
      <Alert message={errors.message} />
      {result !== null && (
        <div className="bulk-result" role="status" data-testid="bulk-result">
          <p>
            {result.verb} {plural(result.outcome.done)}.
            {result.outcome.failures.length > 0 && ` ${plural(result.outcome.failures.length)} could not be changed:`}
          </p>
          {result.outcome.failures.length > 0 && (
            <ul className="bulk-failures">
              {result.outcome.failures.map((failure) => (
                <li key={failure.id}>
                  “{failure.name}”: {failure.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${plural(selected.size)}?`}
        message="The selected tasks and their logs will be removed. This cannot be undone."
        confirmLabel="Delete tasks"
        busy={busy}
        onConfirm={() => void apply('Deleted', all, { kind: 'delete' })}
        onCancel={() => setConfirmDelete(false)}
      />
    </div>
  );
}
