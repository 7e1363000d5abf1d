import { performance } from 'node:perf_hooks';
import type { Task } from '@tasks/schemas';
import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../auth/auth-user.js';
import { RequestBudget } from './request-budget.js';
import { TasksBulkService } from './tasks-bulk.service.js';
import type { TasksService } from './tasks.service.js';

const USER = { id: '00000000-0000-4000-8000-000000000001' } as AuthUser;
const IDS = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'];
const AT = '2026-11-21T10:00:00.000Z';
const taskOf = (id: string): Task => ({
  id,
  title: 'Write the report',
  description: null,
  status: 'COMPLETED',
  priority: 'LOW',
  startedAt: AT,
  completedAt: AT,
  failedAt: null,
  errorMessage: null,
  logCount: 0,
  lastLog: null,
  version: 2,
  createdAt: AT,
  updatedAt: AT,
});

describe('TasksBulkService', () => {
  it('should report ids left when the deadline passes as 503 results, keeping the ids already done', async () => {
    const budget = new RequestBudget(10_000);
    let calls = 0;
    const tasks = {
      update: (_user: AuthUser, id: string, _change: unknown, _ifMatch: unknown, given: RequestBudget) => {
        calls += 1;
        // The first id commits; the deadline passes before the second one.
        if (calls === 2) new RequestBudget(100, performance.now() - 101).assertOpen();
        given.assertOpen();
        return Promise.resolve(taskOf(id));
      },
    } as unknown as TasksService;
    const { results } = await new TasksBulkService(tasks).apply(USER, { ids: IDS, status: 'COMPLETED' } as never, budget, 'req-1');
    expect(results.map((r) => r.status)).toEqual([200, 503]);
    expect(results[1]?.problem?.type).toBe('/api/problems/timeout');
  });
});
