import type { Task } from '@tasks/schemas';

/**
 * A Task as the API returns it (new, PENDING, version 1), for specs of pure logic that need one without
 * a server: clients, caches, sync state. Also exported alone as `@tasks/testkit/fixtures`, which pulls in
 * no Node-only module (browser-side specs).
 */
export function sampleTask(overrides: Partial<Task> = {}): Task {
  return {
    id: '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c',
    title: 't',
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
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:00.000Z',
    ...overrides,
  };
}
