import type { Task, TaskList } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, type Res } from './helpers.js';

function expectNotModified(res: Res, etag: string): void {
  expect(res.status).toBe(304);
  expect(res.body).toBeUndefined();
  expect(res.headers.get('etag')).toBe(etag);
  expect(res.headers.get('x-request-id')).toBeTruthy();
}

describe('If-None-Match', () => {
  let t: TestApp;
  let user: TestUser;
  let task: Task;

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    task = await newTask(t, user, { title: 'conditional' });
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (path: string, ifNoneMatch?: string) =>
    api<Task | TaskList>(t, user, 'GET', path, { headers: ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch } });

  describe('on a task', () => {
    it('should answer 304 with no body when the tag is current, weak, listed or *', async () => {
      const first = await get(`/api/tasks/${task.id}`);
      const etag = first.headers.get('etag')!;
      expect(etag).toBe(`"${task.version}"`);
      for (const header of [etag, `W/${etag}`, `"999", ${etag}`, '*']) {
        expectNotModified(await get(`/api/tasks/${task.id}`, header), etag);
      }
    });

    it('should answer 200 with the task when the tag is stale or malformed', async () => {
      for (const header of ['"999"', 'garbage', `${task.version}`]) {
        const res = await get(`/api/tasks/${task.id}`, header);
        expect(res.status).toBe(200);
        expect((res.body as Task).id).toBe(task.id);
      }
    });

    it('should change the tag after a write so the old tag gets the task again', async () => {
      const old = (await get(`/api/tasks/${task.id}`)).headers.get('etag')!;
      expect((await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'changed' } })).status).toBe(200);
      const res = await get(`/api/tasks/${task.id}`, old);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).not.toBe(old);
      expectNotModified(await get(`/api/tasks/${task.id}`, res.headers.get('etag')!), res.headers.get('etag')!);
    });

    it('should answer 404, not 304, for * when the task is not the user’s', async () => {
      const stranger = await newUser(t);
      const res = await api(t, stranger, 'GET', `/api/tasks/${task.id}`, { headers: { 'if-none-match': '*' } });
      expect(res.status).toBe(404);
    });
  });

  describe('on a list', () => {
    it('should answer 304 with no body when the list tag is current, listed or weak', async () => {
      const first = await get('/api/tasks?sort=createdAt');
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[^"]+"$/);
      for (const header of [etag, `W/${etag}`, `"x", ${etag}`, '*']) expectNotModified(await get('/api/tasks?sort=createdAt', header), etag);
    });

    it('should give another tag for another page and after any write to a listed task', async () => {
      const before = (await get('/api/tasks')).headers.get('etag')!;
      expect((await get('/api/tasks?limit=1')).headers.get('etag')).not.toBe(before);
      await newTask(t, user, { title: 'one more' });
      const afterCreate = await get('/api/tasks', before);
      expect(afterCreate.status).toBe(200);
      const tag = afterCreate.headers.get('etag')!;
      expect(tag).not.toBe(before);
      expect((await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { priority: 'URGENT' } })).status).toBe(200);
      const afterUpdate = await get('/api/tasks', tag);
      expect(afterUpdate.status).toBe(200);
      expect(afterUpdate.headers.get('etag')).not.toBe(tag);
    });
  });
});
