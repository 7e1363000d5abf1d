import type { Task } from '../task.schema.js';

export const SAMPLE_TASK_ID = '00000000-0000-4000-8000-000000000001';
export const SAMPLE_TASK_AT = '2026-11-30T10:00:00.000Z';

/** A PENDING task as the API answers it, for unit tests of clients; `overrides` replace any field. */
export function sampleTask(overrides: Partial<Task> = {}): Task {
  return {
    id: SAMPLE_TASK_ID,
    title: 'Sample task',
    description: null,
    status: 'PENDING',
    priority: 'MEDIUM',
    startedAt: null,
    completedAt: null,
    failedAt: null,
    errorMessage: null,
    logCount: 0,
    lastLog: null,
    version: 1,
    createdAt: SAMPLE_TASK_AT,
    updatedAt: SAMPLE_TASK_AT,
    ...overrides,
  };
}
