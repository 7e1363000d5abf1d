import { randomUUID } from 'node:crypto';
import type { TaskList, TaskPriority, TaskSort, TaskStatus } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

interface Seed {
  id: string;
  status: TaskStatus;
  priority: TaskPriority;
  createdAt: Date;
  updatedAt: Date;
}

const SORTS: TaskSort[] = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority'];
const RANK: Record<TaskPriority, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, URGENT: 3 };
const STATUSES: TaskStatus[] = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const PRIORITIES: TaskPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
const BASE = Date.parse('2026-01-01T00:00:00.000Z');

/** `n` tasks with many ties on every sort key (few distinct timestamps, 4 priorities). */
function seedsOf(n: number, distinctTimes: number): Seed[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    status: STATUSES[i % STATUSES.length]!,
    priority: PRIORITIES[(i * 7) % PRIORITIES.length]!,
    createdAt: new Date(BASE + (i % distinctTimes) * 1000),
    updatedAt: new Date(BASE + ((i * 3) % distinctTimes) * 1000),
  }));
}

/** The ids of `seeds` in `sort` order, ties by id in the same direction. */
function ordered(seeds: readonly Seed[], sort: TaskSort): string[] {
  const key = sort.replace('-', '') as 'createdAt' | 'updatedAt' | 'priority';
  const value = (s: Seed) => (key === 'priority' ? RANK[s.priority] : s[key].getTime());
  const sorted = [...seeds].sort((a, b) => value(a) - value(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return (sort.startsWith('-') ? sorted.reverse() : sorted).map((s) => s.id);
}

describe('GET /api/tasks with cursors', () => {
  let t: TestApp;
  let user: TestUser;
  let other: TestUser;
  const seeds = seedsOf(45, 4);

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    other = await newUser(t);
    await t.prisma.task.createMany({ data: seeds.map((s, i) => ({ ...s, userId: user.id, title: `t${i}` })) });
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

  const list = (u: TestUser, query: string) => api<TaskList>(t, u, 'GET', `/api/tasks?${query}`);

  /** Every page of a cursor walk from `query`; each page checked. */
  async function walk(u: TestUser, query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let res = await list(u, `${query}&limit=${limit}`);
    for (let pages = 0; ; pages++) {
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.items.map((i) => i.id));
      if (res.body.nextCursor === null) return seen;
      expect(pages).toBeLessThan(10_000);
      res = await list(u, `${query}&limit=${limit}&cursor=${encodeURIComponent(res.body.nextCursor)}`);
    }
  }

  const FILTERS = ['', 'status=PENDING,RUNNING', 'priority=HIGH,LOW', 'status=FAILED&priority=URGENT,MEDIUM'];
  for (const sort of SORTS) {
    it(`should visit the offset order exactly once when walking sort=${sort} by cursor with filters`, async () => {
      for (const filter of FILTERS) {
        const query = `sort=${encodeURIComponent(sort)}${filter ? `&${filter}` : ''}`;
        const full = (await list(user, `${query}&limit=100`)).body;
        expect(full.nextCursor).toBeNull();
        for (const limit of [1, 7]) expect(await walk(user, query, limit)).toEqual(full.items.map((i) => i.id));
      }
      expect(await walk(user, `sort=${encodeURIComponent(sort)}`, 6)).toEqual(ordered(seeds, sort));
    });
  }

  it('should continue an offset page by its nextCursor when switching from offset to cursor', async () => {
    const first = await list(user, 'sort=priority&limit=10&offset=10');
    const next = await list(user, `sort=priority&limit=10&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(next.body.items.map((i) => i.id)).toEqual(ordered(seeds, 'priority').slice(20, 30));
    expect(next.body.total).toBe(45);
    expect(next.body.offset).toBe(0);
  });

  it('should answer nextCursor null when the page is the last one', async () => {
    expect((await list(user, 'limit=45')).body.nextCursor).toBeNull();
    expect((await list(user, 'limit=44')).body.nextCursor).toEqual(expect.any(String));
  });

  describe('refused cursors', () => {
    let cursor: string;
    const QUERY = 'sort=createdAt&status=PENDING,RUNNING&limit=5';

    beforeAll(async () => {
      cursor = (await list(user, QUERY)).body.nextCursor!;
      expect(cursor).toEqual(expect.any(String));
      expect((await list(user, `${QUERY}&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
    });

    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

    it.each([
      ['its MAC changed', () => flip(cursor, cursor.length - 1)],
      ['its position changed', () => flip(cursor, 2)],
      ['its position re-encoded without the MAC changing', () => `${Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', randomUUID()])).toString('base64url')}.${cursor.split('.')[1]}`],
      ['it is no cursor at all', () => 'not-a-cursor'],
      ['it is a log cursor', () => '5.AAAAAAAAAAAAAAAA'],
    ])('should answer 400 and no page when %s', async (_case, make) => {
      expectProblem(await list(user, `${QUERY}&cursor=${encodeURIComponent(make())}`), 400);
    });

    it.each([
      ['another sort', 'sort=-createdAt&status=PENDING,RUNNING&limit=5'],
      ['another status filter', 'sort=createdAt&status=PENDING&limit=5'],
      ['no status filter', 'sort=createdAt&limit=5'],
      ['an added priority filter', 'sort=createdAt&status=PENDING,RUNNING&priority=LOW&limit=5'],
      ['an added search', 'sort=createdAt&status=PENDING,RUNNING&q=t1&limit=5'],
    ])('should answer 400 when the cursor comes with %s', async (_case, query) => {
      expectProblem(await list(user, `${query}&cursor=${encodeURIComponent(cursor)}`), 400);
    });

    it('should accept the same filters in another order and another limit when continuing', async () => {
      const res = await list(user, `status=RUNNING,PENDING&limit=3&sort=createdAt&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(200);
    });

    it('should answer 400 when another user sends the cursor', async () => {
      expectProblem(await list(other, `${QUERY}&cursor=${encodeURIComponent(cursor)}`), 400);
    });

    it('should answer 400 when the cursor comes with an offset, even offset 0', async () => {
      for (const offset of ['0', '5']) {
        expectProblem(await list(user, `${QUERY}&offset=${offset}&cursor=${encodeURIComponent(cursor)}`), 400);
      }
    });
  });
});

describe('GET /api/tasks cursor walks while tasks change', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('should visit every task that existed throughout exactly once and in order when 500 tasks are created and deleted meanwhile', async () => {
    // Stable tasks are never changed; victims are deleted during the walks; churn is created (with
    // sort keys among the stable ones') during the walks and half of it deleted again.
    const stable = seedsOf(240, 40);
    const victims = seedsOf(60, 40);
    const churn = seedsOf(500, 40);
    await t.prisma.task.createMany({ data: [...stable, ...victims].map((s, i) => ({ ...s, userId: user.id, title: `s${i}` })) });

    const changes = (async () => {
      const pending = [...churn];
      const toDelete = [...victims.map((v) => v.id)];
      while (pending.length > 0 || toDelete.length > 0) {
        const batch = pending.splice(0, 10);
        await t.prisma.task.createMany({ data: batch.map((s) => ({ ...s, userId: user.id, title: 'churn' })) });
        toDelete.push(...batch.filter((_, j) => j % 2 === 0).map((s) => s.id));
        const gone = toDelete.splice(0, 6);
        await t.prisma.task.updateMany({ where: { id: { in: gone } }, data: { deletedAt: new Date() } });
      }
    })();

    const walks = SORTS.map(async (sort) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `sort=${encodeURIComponent(sort)}&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await api<TaskList>(t, user, 'GET', `/api/tasks?${query}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((i) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      return { sort, seen };
    });
    const results = await Promise.all(walks);
    await changes;

    const stableIds = new Set(stable.map((s) => s.id));
    for (const { sort, seen } of results) {
      expect(new Set(seen).size, `no task twice (${sort})`).toBe(seen.length);
      expect(seen.filter((id) => stableIds.has(id)), `stable tasks once, in order (${sort})`).toEqual(ordered(stable, sort));
    }
  });
});
