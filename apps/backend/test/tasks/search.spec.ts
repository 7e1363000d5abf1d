import type { Task, TaskList } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

describe('GET /api/tasks?q=', () => {
  let t: TestApp;
  let user: TestUser;
  let other: TestUser;
  const tasks: Record<string, Task> = {};

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    other = await newUser(t);
    const make = async (key: string, fields: Parameters<typeof newTask>[2]) => {
      tasks[key] = await newTask(t, user, fields);
    };
    await make('reportTitle', { title: 'Quarterly Report', description: 'numbers', priority: 'HIGH' });
    await make('reportDescription', { title: 'Finance', description: 'Send the report to Anna', priority: 'LOW' });
    await make('reportRunning', { title: 'report draft', priority: 'URGENT', status: 'RUNNING' });
    await make('unrelated', { title: 'Buy milk', description: 'and bread' });
    await make('phrase', { title: 'annual budget review', description: null });
    const deleted = await newTask(t, user, { title: 'report deleted' });
    expect((await api(t, user, 'DELETE', `/api/tasks/${deleted.id}`)).status).toBe(204);
    await newTask(t, other, { title: 'report of someone else' });
  });
  afterAll(async () => {
    await t.close();
  });

  const search = (query: string) => api<TaskList>(t, user, 'GET', `/api/tasks?${query}`);
  const ids = (res: { body: TaskList }) => res.body.items.map((i) => i.id).sort();
  const idsOf = (...keys: string[]) => keys.map((k) => tasks[k]!.id).sort();

  it('should match words of the title and of the description, any case, only the user’s live tasks', async () => {
    const res = await search('q=REPORT');
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(idsOf('reportTitle', 'reportDescription', 'reportRunning'));
    expect(res.body.total).toBe(3);
    expect(ids(await search('q=anna'))).toEqual(idsOf('reportDescription'));
  });

  it('should need every word and accept phrases and exclusions when the query has several', async () => {
    expect(ids(await search('q=report%20draft'))).toEqual(idsOf('reportRunning'));
    expect(ids(await search(`q=${encodeURIComponent('"budget review"')}`))).toEqual(idsOf('phrase'));
    expect(ids(await search(`q=${encodeURIComponent('"review budget"')}`))).toEqual([]);
    expect(ids(await search(`q=${encodeURIComponent('report -draft')}`))).toEqual(idsOf('reportTitle', 'reportDescription'));
  });

  it('should combine with filters, sort and cursor when they are given together', async () => {
    expect(ids(await search('q=report&status=RUNNING'))).toEqual(idsOf('reportRunning'));
    expect(ids(await search('q=report&priority=LOW,HIGH'))).toEqual(idsOf('reportTitle', 'reportDescription'));
    const sorted = await search('q=report&sort=-priority');
    expect(sorted.body.items.map((i) => i.id)).toEqual(['reportRunning', 'reportTitle', 'reportDescription'].map((k) => tasks[k]!.id));
    const walked: string[] = [];
    let res = await search('q=report&sort=-priority&limit=1');
    walked.push(...res.body.items.map((i) => i.id));
    while (res.body.nextCursor) {
      res = await search(`q=report&sort=-priority&limit=1&cursor=${encodeURIComponent(res.body.nextCursor)}`);
      expect(res.body.total).toBe(3);
      walked.push(...res.body.items.map((i) => i.id));
    }
    expect(walked).toEqual(sorted.body.items.map((i) => i.id));
  });

  it('should find a task by words changed after it was created', async () => {
    const task = await newTask(t, user, { title: 'placeholder' });
    expect((await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { description: 'zebra crossing' } })).status).toBe(200);
    expect(ids(await search('q=zebra'))).toEqual([task.id]);
  });

  it.each(['!!!', '&|!():*', '---', '"', "'"])('should answer an empty page, not an error, when q=%s has no words', async (q) => {
    const res = await search(`q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], total: 0, nextCursor: null });
  });

  it.each([
    "' OR 1=1; DROP TABLE tasks; --",
    "report') OR ('a'='a",
    'report:* | milk',
    '$1 $2 ::text',
    '\\x00 \\\\',
  ])('should treat %s as plain words when it looks like SQL or tsquery syntax', async (q) => {
    const res = await search(`q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    expect(res.body.items.every((i) => Object.values(tasks).some((task) => task.id === i.id))).toBe(true);
    expect(await t.prisma.task.count()).toBeGreaterThan(5);
  });

  it('should accept 200 characters and answer 400 for 201 or an empty q', async () => {
    expect((await search(`q=${'a'.repeat(200)}`)).status).toBe(200);
    expect((await search(`q=${encodeURIComponent(` ${'a'.repeat(200)} `)}`)).status).toBe(200);
    expectProblem(await search(`q=${'a'.repeat(201)}`), 400);
    expectProblem(await search('q='), 400);
    expectProblem(await search('q=%20%20'), 400);
  });
});
