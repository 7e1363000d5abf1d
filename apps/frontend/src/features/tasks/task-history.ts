import type { Change } from '@tasks/schemas';
import { STATUS_LABELS } from './task-labels.js';

/** What one history entry says, e.g. "Status: Failed — disk full" or "Edited title, priority". */
export interface HistoryLine {
  kind: 'created' | 'status' | 'log' | 'edit' | 'deleted';
  text: string;
}

const LOG_FIELDS = new Set(['logCount', 'lastLog']);
// Set by the server alongside a status change or any write: not worth naming as an edit.
const DERIVED_FIELDS = new Set(['updatedAt', 'version', 'startedAt', 'completedAt', 'failedAt']);

/** One change of a task's history in words (pure; unit-tested). */
export function describeChange(change: Change): HistoryLine {
  if (change.type === 'task:created') return { kind: 'created', text: 'Created' };
  if (change.type === 'task:deleted' || change.task === null) return { kind: 'deleted', text: 'Deleted' };
  const task = change.task;
  if (change.changed.includes('status')) {
    const reason = task.status === 'FAILED' && task.errorMessage !== null ? ` — ${task.errorMessage}` : '';
    return { kind: 'status', text: `Status: ${STATUS_LABELS[task.status]}${reason}` };
  }
  if (change.changed.some((field) => LOG_FIELDS.has(field))) {
    return { kind: 'log', text: task.lastLog === null ? 'Log entry added' : `Log (${task.lastLog.level}): ${task.lastLog.message}` };
  }
  const edited = change.changed.filter((field) => !DERIVED_FIELDS.has(field));
  return { kind: 'edit', text: edited.length === 0 ? 'Edited' : `Edited ${edited.join(', ')}` };
}
