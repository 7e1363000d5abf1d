import { randomUUID } from 'node:crypto';
import { type TaskList, type TaskPriority, type TaskStatus, taskSchema } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api } from './helpers.js';

interface Seed {
  id: string;
  status: TaskStatus;
  priority: TaskPriority;
  createdAt: Date;
  updatedAt: Date;
}

const PRIORITY_RANK: Record<TaskPriority, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, URGENT: 3 };
const STATUSES: TaskStatus[] = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const PRIORITIES: TaskPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];

describe('GET /api/tasks', () => {
  let t: TestApp;
  let user: TestUser;
  const seeds: Seed[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    // 30 tasks with many ties: only 3 distinct createdAt and 2 distinct updatedAt values.
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 30; i++) {
      seeds.push({
        id: randomUUID(),
        status: STATUSES[i % STATUSES.length]!,
        priority: PRIORITIES[i % PRIORITIES.length]!,
        createdAt: new Date(base + (i % 3) * 1000),
        updatedAt: new Date(base + (i % 2) * 5000),
      });
    }
    await t.prisma.task.createMany({ data: seeds.map((s, i) => ({ ...s, userId: user.id, title: `t${i}` })) });
    // A deleted task and another user's task never show up.
    const other = await newUser(t);
    await t.prisma.task.createMany({
      data: [
        { userId: user.id, title: 'deleted', deletedAt: new Date() },
        { userId: other.id, title: 'not mine' },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const list = (query: string) => api<TaskList>(t, user, 'GET', `/api/tasks${query}`);
  const cmpId = (a: Seed, b: Seed) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  function expected(sort: string): string[] {
    const desc = sort.startsWith('-');
    const key = sort.replace('-', '') as 'createdAt' | 'updatedAt' | 'priority';
    const value = (s: Seed) => (key === 'priority' ? PRIORITY_RANK[s.priority] : s[key].getTime());
    const sorted = [...seeds].sort((a, b) => value(a) - value(b) || cmpId(a, b));
    return (desc ? sorted.reverse() : sorted).map((s) => s.id);
  }

  it('should default to 20 newest first with total when no query is given', async () => {
    const res = await list('');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(30);
    expect(res.body.limit).toBe(20);
    expect(res.body.offset).toBe(0);
    expect(res.body.items.map((i) => i.id)).toEqual(expected('-createdAt').slice(0, 20));
  });

  it('should answer each item with exactly the contract task fields: no owner, deletion or page columns', async () => {
    // The repository hands the page's rows on as read (with total, changeSeq, walkKey, userId …):
    // only the mapping to the contract keeps them out of the answer.
    for (const query of ['?limit=100', '?limit=5&sort=priority']) {
      const res = await list(query);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(Object.keys(taskSchema.shape).sort());
    }
    const next = await list(`?limit=5&cursor=${encodeURIComponent((await list('?limit=5')).body.nextCursor!)}`);
    expect(next.status).toBe(200);
    for (const item of next.body.items) expect(Object.keys(item).sort()).toEqual(Object.keys(taskSchema.shape).sort());
  });

  for (const sort of ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority']) {
    it(`should order by ${sort} with ties broken by id when sort=${sort}`, async () => {
      const res = await list(`?sort=${encodeURIComponent(sort)}&limit=100`);
      expect(res.body.items.map((i) => i.id)).toEqual(expected(sort));
    });
  }

  it('should page through ties without repeats or gaps when limit and offset walk the list', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 30; offset += 7) {
      const res = await list(`?sort=priority&limit=7&offset=${offset}`);
      expect(res.body.total).toBe(30);
      seen.push(...res.body.items.map((i) => i.id));
    }
    expect(seen).toEqual(expected('priority'));
  });

  it('should return an empty page with the total when offset is past the end', async () => {
    for (const offset of [30, 31, 1000, 2_147_483_647]) {
      const res = await list(`?offset=${offset}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [], total: 30, limit: 20, offset, nextCursor: null, changesCursor: expect.any(String) as unknown });
    }
  });

  it('should return the last partial page when offset is near the end', async () => {
    const res = await list('?offset=28&limit=5');
    expect(res.body.items).toHaveLength(2);
  });

  it('should accept the limit bounds 1 and 100 when they are given', async () => {
    expect((await list('?limit=1')).body.items).toHaveLength(1);
    expect((await list('?limit=100')).body.items).toHaveLength(30);
  });

  it('should filter by one status when status is a single value', async () => {
    const res = await list('?status=RUNNING&limit=100');
    const ids = seeds.filter((s) => s.status === 'RUNNING').map((s) => s.id);
    expect(res.body.total).toBe(ids.length);
    expect(res.body.items.map((i) => i.id).sort()).toEqual(ids.sort());
  });

  it('should filter by several statuses and priorities when comma lists are given', async () => {
    const res = await list('?status=PENDING,FAILED&priority=LOW,URGENT,LOW&limit=100');
    const ids = seeds
      .filter((s) => ['PENDING', 'FAILED'].includes(s.status) && ['LOW', 'URGENT'].includes(s.priority))
      .map((s) => s.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(res.body.total).toBe(ids.length);
    expect(res.body.items.map((i) => i.id).sort()).toEqual(ids.sort());
    expect(res.body.items.every((i) => ['PENDING', 'FAILED'].includes(i.status))).toBe(true);
  });

  it('should return an empty list with total 0 when nothing matches', async () => {
    const u = await newUser(t);
    const res = await api<TaskList>(t, u, 'GET', '/api/tasks?status=RUNNING');
    expect(res.body).toEqual({ items: [], total: 0, limit: 20, offset: 0, nextCursor: null, changesCursor: expect.any(String) as unknown });
  });
});
