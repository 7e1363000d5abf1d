import type { Problem, Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { allTaskRows, api, expectProblem } from './helpers.js';

const LONG = 'x'.repeat(10_000);
const SQL = "'; DROP TABLE tasks; --";

/** [label, body, field the error must name] */
type BodyCase = [string, unknown, string];

const createCases: BodyCase[] = [
  ['missing title', {}, 'title'],
  ['empty title', { title: '' }, 'title'],
  ['blank title', { title: '   ' }, 'title'],
  ['10k-char title', { title: LONG }, 'title'],
  ['201-char title', { title: 'x'.repeat(201) }, 'title'],
  ['number title', { title: 42 }, 'title'],
  ['null title', { title: null }, 'title'],
  ['array title', { title: ['a', 'b'] }, 'title'],
  ['object title', { title: { $ne: '' } }, 'title'],
  ['10k-char description', { title: 'ok', description: LONG }, 'description'],
  ['number description', { title: 'ok', description: 1 }, 'description'],
  ['lower-case priority', { title: 'ok', priority: 'high' }, 'priority'],
  ['empty priority', { title: 'ok', priority: '' }, 'priority'],
  ['SQL priority', { title: 'ok', priority: SQL }, 'priority'],
  ['array priority', { title: 'ok', priority: ['LOW'] }, 'priority'],
  ['status on create', { title: 'ok', status: 'RUNNING' }, 'status'],
  ['userId', { title: 'ok', userId: '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c' }, 'userId'],
  ['id', { title: 'ok', id: '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c' }, 'id'],
  ['deletedAt', { title: 'ok', deletedAt: null }, 'deletedAt'],
  ['createdAt', { title: 'ok', createdAt: '2020-01-01T00:00:00.000Z' }, 'createdAt'],
  ['version', { title: 'ok', version: 7 }, 'version'],
  ['constructor key', { title: 'ok', constructor: { name: 'x' } }, 'constructor'],
  ['nested prototype key', { title: 'ok', description: null, prototype: {} }, 'prototype'],
  ['array body', [{ title: 'ok' }], ''],
  ['string body', 'title', ''],
];

const patchCases: BodyCase[] = [
  ['empty object', {}, ''],
  ['empty title', { title: '' }, 'title'],
  ['10k-char title', { title: LONG }, 'title'],
  ['unknown status', { status: 'DONE' }, 'status'],
  ['SQL status', { status: SQL }, 'status'],
  ['number status', { status: 1 }, 'status'],
  ['null priority', { priority: null }, 'priority'],
  ['10k-char errorMessage', { errorMessage: LONG }, 'errorMessage'],
  ['array errorMessage', { errorMessage: ['a'] }, 'errorMessage'],
  ['version', { version: 99 }, 'version'],
  ['logs', { logs: [] }, 'logs'],
  ['startedAt', { startedAt: '2020-01-01T00:00:00.000Z' }, 'startedAt'],
  ['constructor key', { constructor: {}, title: 'x' }, 'constructor'],
];

const logCases: BodyCase[] = [
  ['missing message', {}, 'message'],
  ['empty message', { message: '' }, 'message'],
  ['10k-char message', { message: LONG }, 'message'],
  ['number message', { message: 5 }, 'message'],
  ['unknown level', { message: 'm', level: 'debug' }, 'level'],
  ['at', { message: 'm', at: '2020-01-01T00:00:00.000Z' }, 'at'],
];

describe('tasks bad input', () => {
  let t: TestApp;
  let user: TestUser;
  let task: Task;
  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    task = await newTask(t, user, { title: 'stable' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function expectRejected(method: string, path: string, body: unknown, field: string): Promise<void> {
    const before = await allTaskRows(t);
    const res = await api(t, user, method, path, { body });
    const problem = expectProblem(res, 400);
    expect(problem.errors?.map((e) => e.path)).toContain(field);
    expect(JSON.stringify(problem)).not.toMatch(/prisma|stack|SELECT|at Object/i);
    expect(await allTaskRows(t)).toEqual(before);
  }

  for (const [label, body, field] of createCases) {
    it(`should reject POST /api/tasks with 400 naming "${field}" when the body has ${label}`, async () => {
      await expectRejected('POST', '/api/tasks', body, field);
    });
  }

  for (const [label, body, field] of patchCases) {
    it(`should reject PATCH with 400 naming "${field}" when the body has ${label}`, async () => {
      await expectRejected('PATCH', `/api/tasks/${task.id}`, body, field);
    });
  }

  it('should reject PUT with 400 when fields are missing, wrong or unknown', async () => {
    await expectRejected('PUT', `/api/tasks/${task.id}`, { title: 'x' }, 'priority');
    await expectRejected('PUT', `/api/tasks/${task.id}`, { title: 'x', description: null, priority: 'LOW', status: 'X' }, 'status');
    await expectRejected('PUT', `/api/tasks/${task.id}`, { title: 'x', description: null, priority: 'LOW', status: 'PENDING', extra: 1 }, 'extra');
  });

  for (const [label, body, field] of logCases) {
    it(`should reject POST /logs with 400 naming "${field}" when the body has ${label}`, async () => {
      await expectRejected('POST', `/api/tasks/${task.id}/logs`, body, field);
    });
  }

  it('should answer 400 and change nothing when a PATCH body has only a __proto__ key', async () => {
    const before = await allTaskRows(t);
    const res = await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { rawBody: '{"__proto__":{"status":"COMPLETED","admin":true}}' });
    expectProblem(res, 400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await allTaskRows(t)).toEqual(before);
  });

  it.each([
    ['{"title":"p1","__proto__":{"userId":"x","admin":true}}', '__proto__', '__proto__'],
    ['{"title":"p2","constructor":{"prototype":{"admin":true}}}', 'constructor', 'constructor'],
    ['{"title":"p3","description":null,"nested":{"__proto__":{"admin":true}}}', 'nested.__proto__', '__proto__'],
  ])('should reject %s with 400 naming the key and pollute nothing when a create body carries it', async (raw, path, key) => {
    const before = await allTaskRows(t);
    const res = await api<Problem>(t, user, 'POST', '/api/tasks', { rawBody: raw });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ path, message: `"${key}" is not allowed as a field name` }]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await allTaskRows(t)).toEqual(before);
  });

  // One layer refuses these keys (the global validation pipe): every validated input goes through it.
  it.each([
    ['PUT', 'task', '{"title":"x","description":null,"priority":"LOW","status":"PENDING","__proto__":{"admin":true}}', '__proto__'],
    ['PATCH', 'task', '{"title":"x","constructor":{"prototype":{"admin":true}}}', 'constructor'],
    ['POST', 'logs', '{"message":"m","prototype":{"admin":true}}', 'prototype'],
    ['POST', 'register', '{"email":"proto@example.com","password":"long-enough-pass","__proto__":{"admin":true}}', '__proto__'],
    ['POST', 'login', '{"email":"proto@example.com","password":"long-enough-pass","__proto__":{"admin":true}}', '__proto__'],
  ])('should refuse a %s %s body carrying %s with 400 naming the key', async (method, route, raw, key) => {
    const path = { task: `/api/tasks/${task.id}`, logs: `/api/tasks/${task.id}/logs`, register: '/api/auth/register', login: '/api/auth/login' }[route]!;
    const before = await allTaskRows(t);
    const res = await api<Problem>(t, user, method, path, { rawBody: raw });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ path: key, message: `"${key}" is not allowed as a field name` }]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await allTaskRows(t)).toEqual(before);
  });

  it('should store SQL fragments as plain text when they are a valid title', async () => {
    const res = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title: SQL } });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe(SQL);
    expect(await t.prisma.task.count()).toBeGreaterThan(1);
    await t.prisma.task.delete({ where: { id: res.body.id } });
  });

  it('should reject malformed JSON with 400 and change nothing', async () => {
    const before = await allTaskRows(t);
    expectProblem(await api(t, user, 'POST', '/api/tasks', { rawBody: '{"title":' }), 400);
    expect(await allTaskRows(t)).toEqual(before);
  });

  for (const id of ['not-a-uuid', '123', "1' OR '1'='1", '7f0c2a4e5b7d4c1e9a3b1d2e3f4a5b6c0', '%00', 'a'.repeat(300)]) {
    it(`should answer 400 naming "id" when the id is ${JSON.stringify(id)}`, async () => {
      const path = `/api/tasks/${encodeURIComponent(id)}`;
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PATCH', '', { title: 'x' }],
        ['PUT', '', { title: 'x', description: null, priority: 'LOW', status: 'PENDING' }],
        ['PATCH', '/complete', undefined],
        ['POST', '/logs', { message: 'x' }],
        ['DELETE', '', undefined],
      ] as const) {
        const before = await allTaskRows(t);
        const problem = expectProblem(await api(t, user, method, `${path}${suffix}`, body ? { body } : {}), 400);
        expect(problem.errors?.map((e) => e.path)).toContain('id');
        expect(await allTaskRows(t)).toEqual(before);
      }
    });
  }

  const queryCases: [string, string][] = [
    ['status=DONE', 'status'],
    ['status=', 'status'],
    ['status=PENDING,', 'status'],
    ['status=pending', 'status'],
    ['status=PENDING&status=RUNNING', 'status'],
    ['priority=HIGH&priority=LOW', 'priority'],
    [`priority=${encodeURIComponent(SQL)}`, 'priority'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=1e2', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=', 'limit'],
    ['limit=10&limit=20', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=99999999999', 'offset'],
    [`offset=${'9'.repeat(10_000)}`, 'offset'],
    ['sort=title', 'sort'],
    ['sort=createdAt;DROP TABLE tasks', 'sort'],
    ['sort=', 'sort'],
    ['userId=7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c', 'userId'],
    ['page=2', 'page'],
    ['__proto__=x', '__proto__'],
    ['constructor=x', 'constructor'],
  ];
  for (const [query, field] of queryCases) {
    it(`should answer GET /api/tasks?${query.slice(0, 40)} with 400 naming "${field}"`, async () => {
      const res = await api(t, user, 'GET', `/api/tasks?${query}`);
      const problem = expectProblem(res, 400);
      expect(problem.errors?.map((e) => e.path)).toContain(field);
    });
  }
});
