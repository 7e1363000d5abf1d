import type { Task } from '@tasks/schemas';
import { SAMPLE_TASK_AT, sampleTask } from '@tasks/schemas/testing';
import { describe, expect, it } from 'vitest';
import { TaskSyncState, type SyncChange } from './task-sync-state.js';

const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';

const task = (id: string, version: number, title = `v${version}`, createdAt = SAMPLE_TASK_AT): Task =>
  sampleTask({ id, version, title, createdAt, updatedAt: createdAt });

const updated = (t: Task, cursor: string | null): SyncChange => ({ type: 'task:updated', taskId: t.id, task: t, cursor });
const deleted = (id: string, cursor: string | null): SyncChange => ({ type: 'task:deleted', taskId: id, task: null, cursor });

describe('TaskSyncState', () => {
  it('applies a newer version and moves the cursor to its change', () => {
    const state = new TaskSyncState();
    state.reset([task(ID_A, 1)], 'c0');
    expect(state.apply(updated(task(ID_A, 2), 'c1'))).toBe(true);
    expect(state.tasks.get(ID_A)?.version).toBe(2);
    expect(state.cursor).toBe('c1');
  });

  it('ignores a change seen twice and an older version, without moving the cursor back', () => {
    const state = new TaskSyncState();
    state.reset([task(ID_A, 1)], 'c0');
    state.apply(updated(task(ID_A, 3, 'newest'), 'c3'));
    expect(state.apply(updated(task(ID_A, 3, 'newest'), 'c3'))).toBe(false);
    expect(state.apply(updated(task(ID_A, 2, 'older'), 'c2'))).toBe(false);
    expect(state.tasks.get(ID_A)?.title).toBe('newest');
    expect(state.cursor).toBe('c3');
  });

  it('never brings back a deleted task, whatever arrives after the delete', () => {
    const state = new TaskSyncState();
    state.reset([task(ID_A, 1)], 'c0');
    expect(state.apply(deleted(ID_A, 'c2'))).toBe(true);
    expect(state.apply(deleted(ID_A, 'c2'))).toBe(false);
    expect(state.apply(updated(task(ID_A, 2), 'c1'))).toBe(false);
    expect(state.apply({ type: 'task:created', taskId: ID_A, task: task(ID_A, 1), cursor: 'c0' })).toBe(false);
    expect(state.tasks.has(ID_A)).toBe(false);
    expect(state.cursor).toBe('c2');
  });

  it('keeps the cursor of a list read when an event carries none', () => {
    const state = new TaskSyncState();
    state.reset([], 'c5');
    expect(state.apply({ type: 'task:created', taskId: ID_B, task: task(ID_B, 1), cursor: null })).toBe(true);
    expect(state.cursor).toBe('c5');
  });

  it('gives the same tasks whatever order and repetition the changes arrive in', () => {
    const changes: SyncChange[] = [
      { type: 'task:created', taskId: ID_A, task: task(ID_A, 1), cursor: '1' },
      updated(task(ID_A, 2), '2'),
      { type: 'task:created', taskId: ID_B, task: task(ID_B, 1), cursor: '3' },
      updated(task(ID_A, 3, 'final'), '4'),
      deleted(ID_B, '5'),
    ];
    const expected = new TaskSyncState();
    expected.reset([], '0');
    changes.forEach((change) => expected.apply(change));
    for (const order of [[...changes].reverse(), [...changes, ...changes], [changes[3]!, ...changes, changes[1]!]]) {
      const state = new TaskSyncState();
      state.reset([], '0');
      order.forEach((change) => state.apply(change));
      expect([...state.tasks.values()]).toEqual([...expected.tasks.values()]);
    }
    expect(expected.sorted().map((t) => [t.id, t.title])).toEqual([[ID_A, 'final']]);
  });

  it('counts what a fresh list changed and keeps newer copies from later pages', () => {
    const state = new TaskSyncState();
    state.reset([task(ID_A, 1), task(ID_B, 1)], 'c0');
    expect(state.reset([task(ID_A, 4)], 'c9')).toBe(2);
    expect(state.merge(task(ID_A, 3))).toBe(false);
    expect(state.merge(task(ID_A, 5))).toBe(true);
    expect(state.cursor).toBe('c9');
  });

  it('sorts newest first, ties by id', () => {
    const state = new TaskSyncState();
    state.reset([task(ID_A, 1, 'a', '2026-11-30T10:00:00.000Z'), task(ID_B, 1, 'b', '2026-11-30T11:00:00.000Z')], 'c');
    expect(state.sorted().map((t) => t.title)).toEqual(['b', 'a']);
  });
});
