import type { Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

describe('tasks lifecycle over HTTP', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    // A high cap so the many RUNNING tasks of this file never hit it.
    t = await startTestApp({ env: { TASKS_MAX_CONCURRENT: '1000' } });
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const patch = (id: string, body: unknown) => api<Task>(t, user, 'PATCH', `/api/tasks/${id}`, { body });

  function within(iso: string | null, before: number, after: number): void {
    expect(iso).not.toBeNull();
    const at = Date.parse(iso!);
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(after + 1);
  }

  it('should set startedAt when PENDING → RUNNING', async () => {
    const task = await newTask(t, user);
    const before = Date.now();
    const res = await patch(task.id, { status: 'RUNNING' });
    expect(res.status).toBe(200);
    within(res.body.startedAt, before, Date.now());
    expect(res.body).toMatchObject({ status: 'RUNNING', completedAt: null, failedAt: null, version: 2 });
    expect(res.body.updatedAt).toBe(res.body.startedAt);
  });

  it('should set completedAt and keep startedAt when RUNNING → COMPLETED', async () => {
    const task = await newTask(t, user, { status: 'RUNNING' });
    const before = Date.now();
    const res = await patch(task.id, { status: 'COMPLETED' });
    within(res.body.completedAt, before, Date.now());
    expect(res.body).toMatchObject({ status: 'COMPLETED', startedAt: task.startedAt, failedAt: null });
  });

  it('should set completedAt without startedAt when PENDING → COMPLETED', async () => {
    const task = await newTask(t, user);
    const res = await patch(task.id, { status: 'COMPLETED' });
    expect(res.body).toMatchObject({ status: 'COMPLETED', startedAt: null });
    expect(res.body.completedAt).not.toBeNull();
  });

  it('should set failedAt and keep the errorMessage when RUNNING → FAILED', async () => {
    const task = await newTask(t, user, { status: 'RUNNING' });
    const before = Date.now();
    const res = await patch(task.id, { status: 'FAILED', errorMessage: 'disk full' });
    within(res.body.failedAt, before, Date.now());
    expect(res.body).toMatchObject({ status: 'FAILED', errorMessage: 'disk full', startedAt: task.startedAt, completedAt: null });
  });

  it('should fail without an errorMessage when none is sent', async () => {
    const task = await newTask(t, user, { status: 'RUNNING' });
    const res = await patch(task.id, { status: 'FAILED' });
    expect(res.body).toMatchObject({ status: 'FAILED', errorMessage: null });
  });

  it('should keep timestamps and only change status when → CANCELLED', async () => {
    const running = await newTask(t, user, { status: 'RUNNING' });
    const res = await patch(running.id, { status: 'CANCELLED' });
    expect(res.body).toMatchObject({ status: 'CANCELLED', startedAt: running.startedAt, completedAt: null, failedAt: null });
    const pending = await newTask(t, user);
    expect((await patch(pending.id, { status: 'CANCELLED' })).body.status).toBe('CANCELLED');
  });

  it('should clear startedAt, completedAt, failedAt and errorMessage when going back to PENDING', async () => {
    for (const from of ['FAILED', 'COMPLETED', 'CANCELLED'] as const) {
      const task = await newTask(t, user, { status: from });
      if (from === 'FAILED') await patch(task.id, { errorMessage: 'why' });
      const res = await patch(task.id, { status: 'PENDING' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'PENDING', startedAt: null, completedAt: null, failedAt: null, errorMessage: null });
    }
  });

  it('should answer 409 naming the allowed targets and change nothing when the move is not allowed', async () => {
    const cases = [
      ['PENDING', 'FAILED', 'RUNNING, COMPLETED, CANCELLED'],
      ['RUNNING', 'PENDING', 'COMPLETED, FAILED, CANCELLED'],
      ['COMPLETED', 'RUNNING', 'PENDING'],
      ['FAILED', 'COMPLETED', 'PENDING'],
      ['CANCELLED', 'RUNNING', 'PENDING'],
    ] as const;
    for (const [from, to, allowed] of cases) {
      const task = await newTask(t, user, { status: from });
      const problem = expectProblem(await patch(task.id, { status: to, title: 'changed?' }), 409);
      expect(problem.detail).toContain(`allowed: ${allowed}`);
      const after = await api<Task>(t, user, 'GET', `/api/tasks/${task.id}`);
      expect(after.body).toEqual(task);
    }
  });

  it('should be a 200 no-op with the version unchanged when the current status is set again', async () => {
    const task = await newTask(t, user, { status: 'RUNNING' });
    const res = await patch(task.id, { status: 'RUNNING' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(task);
    expect(res.headers.get('etag')).toBe(`"${task.version}"`);
  });

  it('should refuse an errorMessage with 409 when the task is not FAILED', async () => {
    const task = await newTask(t, user);
    expectProblem(await patch(task.id, { errorMessage: 'nope' }), 409);
    expect((await api<Task>(t, user, 'GET', `/api/tasks/${task.id}`)).body).toEqual(task);
  });

  it('should ignore client-sent timestamps because they are unknown fields', async () => {
    const task = await newTask(t, user);
    const res = await patch(task.id, { status: 'RUNNING', startedAt: '2000-01-01T00:00:00.000Z' });
    const problem = expectProblem(res, 400);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'startedAt' })]);
  });

  it('should toggle COMPLETED ⇄ PENDING when /complete is called', async () => {
    const task = await newTask(t, user, { status: 'RUNNING' });
    const done = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'COMPLETED', startedAt: task.startedAt, version: task.version + 1 });
    expect(done.body.completedAt).not.toBeNull();
    expect(done.headers.get('etag')).toBe(`"${task.version + 1}"`);
    const reopened = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}/complete`);
    expect(reopened.body).toMatchObject({ status: 'PENDING', startedAt: null, completedAt: null, version: task.version + 2 });
  });

  it('should answer 409 from /complete when the task is FAILED or CANCELLED', async () => {
    for (const from of ['FAILED', 'CANCELLED'] as const) {
      const task = await newTask(t, user, { status: from });
      const problem = expectProblem(await api(t, user, 'PATCH', `/api/tasks/${task.id}/complete`), 409);
      expect(problem.detail).toContain('allowed: PENDING');
    }
  });
});
