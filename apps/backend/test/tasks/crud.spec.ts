import type { Task, TaskList } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem, expectTask } from './helpers.js';

describe('tasks CRUD', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('should create a task with defaults, Location and ETag when the body is minimal', async () => {
    const res = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title: '  Write report  ' } });
    expect(res.status).toBe(201);
    const task = expectTask(res.body);
    expect(task).toMatchObject({
      title: 'Write report',
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
    });
    expect(task.createdAt).toBe(task.updatedAt);
    expect(res.headers.get('location')).toBe(`/api/tasks/${task.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const row = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.userId).toBe(user.id);
    expect(res.body).not.toHaveProperty('userId');
    expect(res.body).not.toHaveProperty('deletedAt');
  });

  it('should create with description and priority when they are given', async () => {
    const res = await api<Task>(t, user, 'POST', '/api/tasks', {
      body: { title: 'Ship', description: 'v1', priority: 'URGENT' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'Ship', description: 'v1', priority: 'URGENT' });
  });

  it('should return the task with its ETag when it is fetched by id', async () => {
    const created = await newTask(t, user, { title: 'fetch me' });
    const res = await api<Task>(t, user, 'GET', `/api/tasks/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    expect(res.headers.get('etag')).toBe(`"${created.version}"`);
  });

  it('should change only the sent fields and bump the version when PATCH edits fields', async () => {
    const created = await newTask(t, user, { title: 'old', description: 'keep me', priority: 'LOW' });
    const res = await api<Task>(t, user, 'PATCH', `/api/tasks/${created.id}`, { body: { title: 'new', priority: 'HIGH' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'new', description: 'keep me', priority: 'HIGH', version: 2 });
    expect(res.headers.get('etag')).toBe('"2"');
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect(res.body.createdAt).toBe(created.createdAt);
  });

  it('should clear the description when PATCH sends null', async () => {
    const created = await newTask(t, user, { description: 'x' });
    const res = await api<Task>(t, user, 'PATCH', `/api/tasks/${created.id}`, { body: { description: null } });
    expect(res.body).toMatchObject({ description: null, version: 2 });
  });

  it('should leave the version unchanged when PATCH sends the current values', async () => {
    const created = await newTask(t, user, { title: 'same', priority: 'LOW' });
    const res = await api<Task>(t, user, 'PATCH', `/api/tasks/${created.id}`, {
      body: { title: 'same', priority: 'LOW', status: 'PENDING' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
    expect(res.headers.get('etag')).toBe('"1"');
  });

  it('should replace every editable field when PUT is used', async () => {
    const created = await newTask(t, user, { title: 'a', description: 'b', priority: 'LOW' });
    const res = await api<Task>(t, user, 'PUT', `/api/tasks/${created.id}`, {
      body: { title: 'A', description: null, priority: 'URGENT', status: 'RUNNING' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'A', description: null, priority: 'URGENT', status: 'RUNNING', version: 2 });
    expect(res.body.startedAt).not.toBeNull();
    expect(res.headers.get('etag')).toBe('"2"');
  });

  it('should reject PUT with 400 and change nothing when a field is missing', async () => {
    const created = await newTask(t, user);
    const res = await api(t, user, 'PUT', `/api/tasks/${created.id}`, { body: { title: 'A', priority: 'LOW', status: 'PENDING' } });
    const problem = expectProblem(res, 400);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'description' })]);
    const after = await api<Task>(t, user, 'GET', `/api/tasks/${created.id}`);
    expect(after.body).toEqual(created);
  });

  it('should soft-delete with 204, keep the row with deletedAt and hide it everywhere when DELETE is called', async () => {
    const task = await newTask(t, user);
    const del = await api(t, user, 'DELETE', `/api/tasks/${task.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();

    const row = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row.deletedAt).toBeInstanceOf(Date);

    const path = `/api/tasks/${task.id}`;
    expectProblem(await api(t, user, 'GET', path), 404);
    expectProblem(await api(t, user, 'PATCH', path, { body: { title: 'x' } }), 404);
    expectProblem(await api(t, user, 'PUT', path, { body: { title: 'x', description: null, priority: 'LOW', status: 'PENDING' } }), 404);
    expectProblem(await api(t, user, 'PATCH', `${path}/complete`), 404);
    expectProblem(await api(t, user, 'POST', `${path}/logs`, { body: { message: 'x' } }), 404);
    expectProblem(await api(t, user, 'DELETE', path), 404);

    const list = await api<TaskList>(t, user, 'GET', '/api/tasks?limit=100');
    expect(list.body.items.map((item) => item.id)).not.toContain(task.id);
    const stillThere = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(stillThere).toEqual(row);
  });

  it('should not count deleted tasks in the list total when some are deleted', async () => {
    const other = await newUser(t);
    const keep = await newTask(t, other);
    const gone = await newTask(t, other);
    await api(t, other, 'DELETE', `/api/tasks/${gone.id}`);
    const list = await api<TaskList>(t, other, 'GET', '/api/tasks');
    expect(list.body.total).toBe(1);
    expect(list.body.items.map((item) => item.id)).toEqual([keep.id]);
  });

  it('should not count deleted RUNNING tasks against the running cap when they are deleted', async () => {
    const capped = await newUser(t);
    const running = await Promise.all(Array.from({ length: 5 }, () => newTask(t, capped, { status: 'RUNNING' })));
    const next = await newTask(t, capped);
    expectProblem(await api(t, capped, 'PATCH', `/api/tasks/${next.id}`, { body: { status: 'RUNNING' } }), 409);
    await api(t, capped, 'DELETE', `/api/tasks/${running[0]!.id}`);
    const res = await api<Task>(t, capped, 'PATCH', `/api/tasks/${next.id}`, { body: { status: 'RUNNING' } });
    expect(res.status).toBe(200);
  });

  it('should require a token on every tasks route when none is sent', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['POST', '/api/tasks'],
      ['GET', '/api/tasks'],
      ['GET', `/api/tasks/${id}`],
      ['PATCH', `/api/tasks/${id}`],
      ['PUT', `/api/tasks/${id}`],
      ['PATCH', `/api/tasks/${id}/complete`],
      ['POST', `/api/tasks/${id}/logs`],
      ['DELETE', `/api/tasks/${id}`],
    ] as const) {
      const res = await api(t, undefined, method, path, method === 'GET' || method === 'DELETE' ? {} : { body: { title: 'x' } });
      expectProblem(res, 401);
    }
    expect(await t.prisma.task.count({ where: { title: 'x' } })).toBe(0);
  });
});

describe('tasks API switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_API_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer 404 on the tasks routes when TASKS_API_ENABLED=false', async () => {
    const user = await newUser(t);
    expectProblem(await api(t, user, 'GET', '/api/tasks'), 404);
    expectProblem(await api(t, user, 'POST', '/api/tasks', { body: { title: 'x' } }), 404);
    expect(await t.prisma.task.count()).toBe(0);
  });
});
