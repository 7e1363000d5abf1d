import { TASK_STATUSES, type TaskStatus } from '@tasks/schemas';
import { describe, expect, it } from 'vitest';
import { completeToggleTarget, planEdit, type TaskState } from './task-lifecycle.js';
import { InvalidTransitionError, TaskStateConflictError } from './tasks.errors.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const EARLIER = new Date('2026-11-20T09:00:00.000Z');

function state(overrides: Partial<TaskState> = {}): TaskState {
  return {
    title: 't',
    description: null,
    status: 'PENDING',
    priority: 'MEDIUM',
    startedAt: null,
    completedAt: null,
    failedAt: null,
    errorMessage: null,
    ...overrides,
  };
}

const ALLOWED: Record<TaskStatus, TaskStatus[]> = {
  PENDING: ['RUNNING', 'COMPLETED', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  FAILED: ['PENDING'],
  COMPLETED: ['PENDING'],
  CANCELLED: ['PENDING'],
};

describe('planEdit', () => {
  for (const from of TASK_STATUSES) {
    for (const to of TASK_STATUSES) {
      if (from === to) {
        it(`should be a no-op when ${from} is set again`, () => {
          expect(planEdit(state({ status: from }), { status: to }, NOW)).toEqual({ changes: {}, entersRunning: false });
        });
      } else if (ALLOWED[from].includes(to)) {
        it(`should allow ${from} → ${to} when the lifecycle permits it`, () => {
          const plan = planEdit(state({ status: from }), { status: to }, NOW);
          expect(plan.changes.status).toBe(to);
          expect(plan.entersRunning).toBe(to === 'RUNNING');
        });
      } else {
        it(`should refuse ${from} → ${to} naming the allowed targets when the lifecycle forbids it`, () => {
          const attempt = () => planEdit(state({ status: from }), { status: to }, NOW);
          expect(attempt).toThrow(InvalidTransitionError);
          expect(attempt).toThrow(`allowed: ${ALLOWED[from].join(', ')}`);
        });
      }
    }
  }

  it('should set startedAt when a task enters RUNNING', () => {
    expect(planEdit(state(), { status: 'RUNNING' }, NOW).changes).toEqual({ status: 'RUNNING', startedAt: NOW });
  });

  it('should set completedAt and keep startedAt when a RUNNING task completes', () => {
    const plan = planEdit(state({ status: 'RUNNING', startedAt: EARLIER }), { status: 'COMPLETED' }, NOW);
    expect(plan.changes).toEqual({ status: 'COMPLETED', completedAt: NOW });
  });

  it('should set failedAt and keep the errorMessage sent with it when a task fails', () => {
    const plan = planEdit(state({ status: 'RUNNING', startedAt: EARLIER }), { status: 'FAILED', errorMessage: 'boom' }, NOW);
    expect(plan.changes).toEqual({ status: 'FAILED', failedAt: NOW, errorMessage: 'boom' });
  });

  it('should clear every lifecycle timestamp and the error when a FAILED task is retried', () => {
    const failed = state({ status: 'FAILED', startedAt: EARLIER, failedAt: EARLIER, errorMessage: 'boom' });
    expect(planEdit(failed, { status: 'PENDING' }, NOW).changes).toEqual({
      status: 'PENDING',
      startedAt: null,
      failedAt: null,
      errorMessage: null,
    });
  });

  it('should refuse an errorMessage when the task is not FAILED', () => {
    expect(() => planEdit(state(), { errorMessage: 'x' }, NOW)).toThrow(TaskStateConflictError);
    expect(() => planEdit(state({ status: 'FAILED' }), { status: 'PENDING', errorMessage: 'x' }, NOW)).toThrow(
      TaskStateConflictError,
    );
  });

  it('should update the errorMessage when the task is already FAILED', () => {
    const failed = state({ status: 'FAILED', errorMessage: 'a' });
    expect(planEdit(failed, { errorMessage: 'b' }, NOW).changes).toEqual({ errorMessage: 'b' });
  });

  it('should keep only changed fields when some sent values equal the current ones', () => {
    expect(planEdit(state({ title: 'a', priority: 'LOW' }), { title: 'a', priority: 'HIGH' }, NOW).changes).toEqual({
      priority: 'HIGH',
    });
  });
});

describe('completeToggleTarget', () => {
  it('should reopen when the task is COMPLETED and complete otherwise', () => {
    expect(completeToggleTarget('COMPLETED')).toBe('PENDING');
    expect(completeToggleTarget('PENDING')).toBe('COMPLETED');
    expect(completeToggleTarget('RUNNING')).toBe('COMPLETED');
  });
});
