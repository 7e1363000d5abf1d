import { randomUUID } from 'node:crypto';
import { problemSchema, taskListSchema, taskSchema, type Task } from '@tasks/schemas';
import { ApiError } from '../src/lib/api/contract-client.js';
import { expect, test, type TestUser } from './fixtures.js';

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.client.token ?? ''}` });

test.describe('tasks API through the request fixture', () => {
  test('should return 201 with the task and its Location when a task is created', async ({ request, newUser }) => {
    const owner = await newUser();
    const res = await request.post('/api/tasks', {
      headers: bearer(owner),
      data: { title: '  Write the report  ', description: 'Quarterly numbers', priority: 'HIGH' },
    });
    expect(res.status()).toBe(201);
    const task = taskSchema.parse(await res.json());
    expect(task).toMatchObject({ title: 'Write the report', description: 'Quarterly numbers', priority: 'HIGH', status: 'PENDING', version: 1, logCount: 0, lastLog: null });
    expect(res.headers().location).toContain(`/api/tasks/${task.id}`);
  });

  test('should return 200 with the caller\'s tasks when the list is requested', async ({ request, newUser, newTask }) => {
    const owner = await newUser();
    const created = [await newTask(owner), await newTask(owner)];
    const res = await request.get('/api/tasks', { headers: bearer(owner) });
    expect(res.status()).toBe(200);
    const list = taskListSchema.parse(await res.json());
    expect(list.total).toBe(2);
    expect(list.items.map((t) => t.id).sort()).toEqual(created.map((t) => t.id).sort());
    expect(list).toMatchObject({ limit: 20, offset: 0 });
  });

  test('should return 200 and an ETag when a task is fetched by id, 404 when it does not exist', async ({ request, newUser, newTask }) => {
    const owner = await newUser();
    const task = await newTask(owner);
    const found = await request.get(`/api/tasks/${task.id}`, { headers: bearer(owner) });
    expect(found.status()).toBe(200);
    expect(taskSchema.parse(await found.json()).id).toBe(task.id);
    expect(found.headers().etag).toBe(`"${task.version}"`);

    const missing = await request.get(`/api/tasks/${randomUUID()}`, { headers: bearer(owner) });
    expect(missing.status()).toBe(404);
    expect(missing.headers()['content-type']).toContain('application/problem+json');
    expect(problemSchema.parse(await missing.json()).status).toBe(404);
  });

  test('should return 404 with the same problem when the task belongs to another user', async ({ request, newUser, newTask }) => {
    const owner = await newUser();
    const stranger = await newUser();
    const task = await newTask(owner);
    const foreign = await request.get(`/api/tasks/${task.id}`, { headers: bearer(stranger) });
    const missing = await request.get(`/api/tasks/${randomUUID()}`, { headers: bearer(stranger) });
    expect(foreign.status()).toBe(404);
    const { instance: _a, requestId: _b, ...foreignBody } = problemSchema.parse(await foreign.json());
    const { instance: _c, requestId: _d, ...missingBody } = problemSchema.parse(await missing.json());
    expect(foreignBody).toEqual(missingBody);
  });

  test('should return 200 with the change applied when a task is patched', async ({ request, newUser, newTask }) => {
    const owner = await newUser();
    const task = await newTask(owner);
    const res = await request.patch(`/api/tasks/${task.id}`, { headers: bearer(owner), data: { title: 'Renamed', priority: 'URGENT' } });
    expect(res.status()).toBe(200);
    const updated = taskSchema.parse(await res.json());
    expect(updated).toMatchObject({ id: task.id, title: 'Renamed', priority: 'URGENT', version: task.version + 1 });
    expect(res.headers().etag).toBe(`"${updated.version}"`);
  });

  test('should return 204 and hide the task from every read when it is deleted', async ({ request, newUser, newTask }) => {
    const owner = await newUser();
    const task = await newTask(owner);
    const kept = await newTask(owner);
    const res = await request.delete(`/api/tasks/${task.id}`, { headers: bearer(owner) });
    expect(res.status()).toBe(204);
    expect(await res.body()).toHaveLength(0);

    expect((await request.get(`/api/tasks/${task.id}`, { headers: bearer(owner) })).status()).toBe(404);
    const list = taskListSchema.parse(await (await request.get('/api/tasks', { headers: bearer(owner) })).json());
    expect(list.items.map((t) => t.id)).toEqual([kept.id]);
    expect(list.total).toBe(1);
    expect((await request.delete(`/api/tasks/${task.id}`, { headers: bearer(owner) })).status()).toBe(404);
  });

  test('should return 401 with a Bearer challenge on every route when no JWT is sent', async ({ request }) => {
    const id = randomUUID();
    const routes: [string, string, unknown?][] = [
      ['POST', '/api/tasks', { title: 'x' }],
      ['GET', '/api/tasks'],
      ['GET', `/api/tasks/${id}`],
      ['PATCH', `/api/tasks/${id}`, { title: 'x' }],
      ['PUT', `/api/tasks/${id}`, { title: 'x', description: null, priority: 'LOW', status: 'PENDING' }],
      ['PATCH', `/api/tasks/${id}/complete`],
      ['POST', `/api/tasks/${id}/logs`, { message: 'x' }],
      ['DELETE', `/api/tasks/${id}`],
      ['GET', '/api/auth/me'],
      ['POST', '/api/auth/logout'],
    ];
    for (const [method, url, data] of routes) {
      const res = await request.fetch(url, { method, ...(data === undefined ? {} : { data }) });
      expect(res.status(), `${method} ${url}`).toBe(401);
      expect(res.headers()['www-authenticate'], `${method} ${url}`).toMatch(/^Bearer/);
      expect(res.headers()['content-type']).toContain('application/problem+json');
      expect(problemSchema.parse(await res.json()).status).toBe(401);
    }
  });

  test('should return 401 when the token is not a valid JWT', async ({ request }) => {
    const res = await request.get('/api/tasks', { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(res.status()).toBe(401);
  });
});

test.describe('tasks API through the contract client', () => {
  test('should follow the lifecycle and refuse moves it does not allow', async ({ newUser, newTask }) => {
    const owner = await newUser();
    const { client } = owner;
    let task: Task = await newTask(owner);
    task = await client.updateTask(task.id, { status: 'RUNNING' });
    expect(task.status).toBe('RUNNING');
    expect(task.startedAt).not.toBeNull();

    task = await client.updateTask(task.id, { status: 'FAILED', errorMessage: 'disk full' });
    expect(task).toMatchObject({ status: 'FAILED', errorMessage: 'disk full' });
    expect(task.failedAt).not.toBeNull();

    const refused = await client.updateTask(task.id, { status: 'COMPLETED' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(409);
    expect((refused as ApiError).detail).toContain('PENDING');

    task = await client.updateTask(task.id, { status: 'PENDING' });
    expect(task).toMatchObject({ status: 'PENDING', errorMessage: null, failedAt: null, startedAt: null });

    task = await client.completeTask(task.id);
    expect(task.status).toBe('COMPLETED');
    expect(task.completedAt).not.toBeNull();
    task = await client.completeTask(task.id);
    expect(task).toMatchObject({ status: 'PENDING', completedAt: null });
  });

  test('should refuse a stale write with 412 and change nothing when If-Match is old', async ({ newUser, newTask }) => {
    const owner = await newUser();
    const task = await newTask(owner);
    const fresh = await owner.client.updateTask(task.id, { title: 'First' }, { ifMatch: task.version });
    const stale = await owner.client.updateTask(task.id, { title: 'Second' }, { ifMatch: task.version }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ApiError);
    expect((stale as ApiError).status).toBe(412);
    expect(await owner.client.getTaskById(task.id)).toMatchObject({ title: 'First', version: fresh.version });
  });

  test('should replace the editable fields when a task is put', async ({ newUser, newTask }) => {
    const owner = await newUser();
    const task = await newTask(owner, { description: 'old' });
    const replaced = await owner.client.replaceTask(task.id, { title: 'New', description: null, priority: 'LOW', status: 'RUNNING' });
    expect(replaced).toMatchObject({ title: 'New', description: null, priority: 'LOW', status: 'RUNNING' });
  });

  test('should filter, sort and page the list when asked', async ({ newUser, newTask }) => {
    const owner = await newUser();
    const low = await newTask(owner, { priority: 'LOW' });
    const urgent = await newTask(owner, { priority: 'URGENT' });
    const high = await newTask(owner, { priority: 'HIGH' });
    await owner.client.updateTask(high.id, { status: 'RUNNING' });

    const running = await owner.client.getTasks({ status: 'RUNNING' });
    expect(running.items.map((t) => t.id)).toEqual([high.id]);
    const both = await owner.client.getTasks({ priority: ['LOW', 'URGENT'], sort: '-priority' });
    expect(both.items.map((t) => t.id)).toEqual([urgent.id, low.id]);
    const page = await owner.client.getTasks({ sort: 'createdAt', limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.items.map((t) => t.id)).toEqual([urgent.id, high.id]);

    const bad = await owner.client.getTasks({ limit: 500 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toBe(400);
    expect((bad as ApiError).fieldError('limit')).toBeDefined();
  });

  test('should append log entries and page through them newest first', async ({ newUser, newTask }) => {
    const owner = await newUser();
    const task = await newTask(owner);
    const first = await owner.client.appendLog(task.id, { message: 'started' });
    expect(first).toMatchObject({ level: 'info', message: 'started' });
    const logged = await owner.client.appendLog(task.id, { message: 'slow disk', level: 'warn' });
    expect(logged).toMatchObject({ level: 'warn', message: 'slow disk' });
    await owner.client.appendLog(task.id, { message: 'done' });

    const after = await owner.client.getTaskById(task.id);
    expect(after).toMatchObject({ version: 4, logCount: 3, lastLog: { message: 'done', level: 'info' } });
    expect(after).not.toHaveProperty('logs');

    const page1 = await owner.client.listLogs(task.id, { limit: 2 });
    expect(page1.items.map((entry) => entry.message)).toEqual(['done', 'slow disk']);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await owner.client.listLogs(task.id, { limit: 2, cursor: page1.nextCursor });
    expect(page2.items).toEqual([first]);
    expect(page2.nextCursor).toBeNull();

    const tampered = await owner.client.listLogs(task.id, { cursor: `${page1.nextCursor}x` }).catch((e: unknown) => e);
    expect(tampered).toBeInstanceOf(ApiError);
    expect((tampered as ApiError).status).toBe(400);
  });

  test('should turn validation failures into an ApiError with field errors', async ({ newUser }) => {
    const owner = await newUser();
    const error = await owner.client.createTask({ title: '   ' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).fieldError('title')).toBeDefined();
  });

  test('should deliver the owner\'s events live and nothing of other users', async ({ newUser, newTask }) => {
    const owner = await newUser();
    const stranger = await newUser();
    const mine = owner.client.subscribe();
    const theirs = stranger.client.subscribe();
    try {
      await Promise.all([mine.ready, theirs.ready]);
      const strangerEvents: string[] = [];
      theirs.on('task:created', (t) => strangerEvents.push(t.id));
      theirs.on('task:updated', (t) => strangerEvents.push(t.id));
      const updated = new Promise<Task>((resolve) => mine.on('task:updated', resolve));
      const deleted = new Promise<{ id: string }>((resolve) => mine.on('task:deleted', resolve));

      const task = await newTask(owner);
      await owner.client.updateTask(task.id, { status: 'RUNNING' });
      expect(await updated).toMatchObject({ id: task.id, status: 'RUNNING' });
      await owner.client.deleteTask(task.id);
      expect(await deleted).toEqual({ id: task.id });

      // The stranger's own event proves their feed is flowing, and that nothing of the owner's came before it.
      const own = new Promise<Task>((resolve) => theirs.on('task:created', resolve));
      const theirTask = await newTask(stranger);
      await own;
      expect(strangerEvents).toEqual([theirTask.id]);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  test('should refuse the socket handshake when the token is revoked', async ({ newUser, anonymous }) => {
    const owner = await newUser();
    const token = owner.client.token;
    await owner.client.logout();
    anonymous.setToken(token);
    const subscription = anonymous.subscribe();
    const errors: Error[] = [];
    subscription.onError((error) => errors.push(error));
    try {
      await expect(subscription.ready).rejects.toThrow('unauthorized');
      expect(errors.map((e) => e.message)).toEqual(['unauthorized']);
    } finally {
      subscription.close();
    }
    const me = await anonymous.me().catch((e: unknown) => e);
    expect((me as ApiError).status).toBe(401);
  });
});
