import { describe, expect, it } from 'vitest';
import { bulkOutcome, bulkRequests } from './task-bulk.js';
import { describeChange } from './task-history.js';
import type { Change, Task } from '@tasks/schemas';
import { sampleTask } from '@tasks/schemas/testing';

const ids = Array.from({ length: 230 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('bulkRequests', () => {
  it('splits ids into requests of at most 100, in order', () => {
    const bodies = bulkRequests(ids, { kind: 'status', status: 'PENDING' });
    expect(bodies.map((body) => body.ids.length)).toEqual([100, 100, 30]);
    expect(bodies.flatMap((body) => body.ids)).toEqual(ids);
    expect(bodies[0]).toMatchObject({ status: 'PENDING' });
    expect(bulkRequests(ids.slice(0, 2), { kind: 'delete' })).toEqual([{ ids: ids.slice(0, 2), delete: true }]);
    expect(bulkRequests([], { kind: 'delete' })).toEqual([]);
  });
});

describe('bulkOutcome', () => {
  it('counts applied items and names the failed ones with the reason', () => {
    const known = new Map([[ids[1]!, { title: 'Known task' }]]);
    const outcome = bulkOutcome(
      [
        { id: ids[0]!, status: 204 },
        { id: ids[1]!, status: 409, problem: { type: '/api/problems/invalid-transition', title: 'Conflict', status: 409, detail: 'Cannot go from COMPLETED to PENDING? no', instance: '/api/tasks/bulk' } },
        { id: ids[2]!, status: 404 },
      ],
      known,
    );
    expect(outcome.done).toBe(1);
    expect(outcome.failures).toEqual([
      { id: ids[1], name: 'Known task', reason: 'Cannot go from COMPLETED to PENDING? no' },
      { id: ids[2], name: ids[2], reason: 'no longer exists' },
    ]);
  });
});

const task = (patch: Partial<Task>): Task => sampleTask({ id: ids[0]!, title: 'T', ...patch });
const change = (type: Change['type'], changed: string[], patch: Partial<Task> = {}): Change => ({
  cursor: '1.x',
  type,
  taskId: ids[0]!,
  at: '2026-11-30T10:00:00.000Z',
  task: type === 'task:deleted' ? null : task(patch),
  changed,
});

describe('describeChange', () => {
  it('names creation, status changes with the failure reason, log appends, edits and deletion', () => {
    expect(describeChange(change('task:created', []))).toEqual({ kind: 'created', text: 'Created' });
    expect(describeChange(change('task:updated', ['status', 'startedAt'], { status: 'RUNNING' })).text).toBe('Status: Running');
    expect(describeChange(change('task:updated', ['status', 'failedAt', 'errorMessage'], { status: 'FAILED', errorMessage: 'disk full' })).text).toBe(
      'Status: Failed — disk full',
    );
    const lastLog = { id: ids[3]!, at: '2026-11-30T10:00:00.000Z', level: 'warn' as const, message: 'slow' };
    expect(describeChange(change('task:updated', ['logCount', 'lastLog'], { lastLog, logCount: 1 }))).toEqual({ kind: 'log', text: 'Log (warn): slow' });
    expect(describeChange(change('task:updated', ['title', 'priority'])).text).toBe('Edited title, priority');
    expect(describeChange(change('task:deleted', []))).toEqual({ kind: 'deleted', text: 'Deleted' });
  });
});
