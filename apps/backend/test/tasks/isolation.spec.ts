import type { Task, TaskList } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, comparable404, type Res } from './helpers.js';

describe('tasks isolation between users', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let alicesTask: Task;
  let deletedTask: Task;
  const missingId = '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c';

  beforeAll(async () => {
    t = await startTestApp();
    alice = await newUser(t);
    bob = await newUser(t);
    alicesTask = await newTask(t, alice, { title: 'alice secret', description: 'private' });
    deletedTask = await newTask(t, bob);
    await api(t, bob, 'DELETE', `/api/tasks/${deletedTask.id}`);
  });
  afterAll(async () => {
    await t.close();
  });

  const routes: { name: string; send: (id: string) => Promise<Res> }[] = [
    { name: 'GET /:id', send: (id) => api(t, bob, 'GET', `/api/tasks/${id}`) },
    { name: 'PATCH /:id', send: (id) => api(t, bob, 'PATCH', `/api/tasks/${id}`, { body: { title: 'pwned' } }) },
    { name: 'PATCH /:id (If-Match)', send: (id) => api(t, bob, 'PATCH', `/api/tasks/${id}`, { body: { title: 'pwned' }, headers: { 'if-match': '"1"' } }) },
    {
      name: 'PUT /:id',
      send: (id) => api(t, bob, 'PUT', `/api/tasks/${id}`, { body: { title: 'pwned', description: null, priority: 'LOW', status: 'CANCELLED' } }),
    },
    { name: 'PATCH /:id/complete', send: (id) => api(t, bob, 'PATCH', `/api/tasks/${id}/complete`) },
    { name: 'POST /:id/logs', send: (id) => api(t, bob, 'POST', `/api/tasks/${id}/logs`, { body: { message: 'pwned' } }) },
    { name: 'DELETE /:id', send: (id) => api(t, bob, 'DELETE', `/api/tasks/${id}`) },
  ];

  for (const route of routes) {
    it(`should answer ${route.name} with the same 404 for another user's, a deleted and a missing task`, async () => {
      const before = await t.prisma.task.findUniqueOrThrow({ where: { id: alicesTask.id } });
      const others = comparable404(await route.send(alicesTask.id));
      const deleted = comparable404(await route.send(deletedTask.id));
      const missing = comparable404(await route.send(missingId));
      expect(others).toEqual(missing);
      expect(deleted).toEqual(missing);
      expect(JSON.stringify(others)).not.toContain('alice');
      expect(await t.prisma.task.findUniqueOrThrow({ where: { id: alicesTask.id } })).toEqual(before);
    });
  }

  it("should never list another user's tasks when listing with any filter", async () => {
    const res = await api<TaskList>(t, bob, 'GET', '/api/tasks?limit=100&status=PENDING,RUNNING,COMPLETED,FAILED,CANCELLED');
    expect(res.body.items.map((i) => i.id)).not.toContain(alicesTask.id);
    expect(res.body.total).toBe(0);
  });

  it('should keep the owner in charge of a task when another user tries every route', async () => {
    const res = await api<Task>(t, alice, 'GET', `/api/tasks/${alicesTask.id}`);
    expect(res.body).toEqual(alicesTask);
  });

  it('should ignore a userId sent in the body because unknown fields are refused', async () => {
    const res = await api(t, bob, 'POST', '/api/tasks', { body: { title: 'x', userId: alice.id } });
    expect(res.status).toBe(400);
    expect(await t.prisma.task.count({ where: { userId: alice.id } })).toBe(1);
  });
});
