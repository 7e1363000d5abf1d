import { randomUUID } from 'node:crypto';
import { TASK_TRANSITIONS, type Task, type TaskList, type TaskPriority, type TaskSort, type TaskStatus } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from './helpers.js';

// A cursor walk is pinned to the feed position of its first page: tasks changed meanwhile (sort
// key, status, priority, title) are placed and filtered by their state then, so each task that
// existed throughout is returned exactly once, in the order the first page saw.

const SORTS: TaskSort[] = ['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'priority', '-priority'];
const FILTERS = ['', 'status=PENDING', 'status=COMPLETED,FAILED', 'priority=HIGH,LOW', 'q=alpha', 'status=PENDING,CANCELLED&priority=MEDIUM,URGENT,LOW&q=alpha'];
const STATUSES: TaskStatus[] = ['PENDING', 'COMPLETED', 'FAILED', 'CANCELLED', 'PENDING'];
const PRIORITIES: TaskPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const LIMIT = 4;

describe('GET /api/tasks cursor walks pinned to their first page while tasks are edited', () => {
  let t: TestApp;
  let user: TestUser;
  let edits = 0;

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    // Many ties on every key (6 timestamps, 4 priorities); titles alternate between the q's word and another.
    await t.prisma.task.createMany({
      data: Array.from({ length: 36 }, (_, i) => ({
        userId: user.id,
        title: `${i % 2 === 0 ? 'alpha' : 'beta'} ${i}`,
        status: STATUSES[i % STATUSES.length]!,
        priority: PRIORITIES[(i * 7) % PRIORITIES.length]!,
        createdAt: new Date(BASE + (i % 6) * 1000),
        updatedAt: new Date(BASE + ((i * 5) % 6) * 1000),
      })),
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const list = (query: string) => api<TaskList>(t, user, 'GET', `/api/tasks?${query}`);

  /** One write through the API that moves the task's sort keys or filter match (kind 0 to 3). */
  async function edit(id: string, kind: number): Promise<void> {
    edits++;
    const task = (await api<Task>(t, user, 'GET', `/api/tasks/${id}`)).body;
    let res;
    if (kind === 0) {
      const priority = PRIORITIES[(PRIORITIES.indexOf(task.priority) + 1 + (edits % 3)) % PRIORITIES.length]!;
      res = await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { priority } });
    } else if (kind === 1) {
      const status = TASK_TRANSITIONS[task.status].find((to) => to !== 'RUNNING')!;
      res = await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { status } });
    } else if (kind === 2) {
      res = await api(t, user, 'POST', `/api/tasks/${id}/logs`, { body: { level: 'info', message: `edit ${edits}` } });
    } else {
      const title = task.title.startsWith('alpha') ? task.title.replace('alpha', 'beta') : task.title.replace('beta', 'alpha');
      res = await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { title } });
    }
    expect(res.status, `edit ${kind} of ${id}`).toBeLessThan(300);
  }

  /**
   * Walks `query` by cursor; while each next page is read, edits a task already returned and one not
   * yet reached, and once deletes one not yet reached and creates one. Checks the walk returned the
   * tasks of the order before it began exactly once and in that order, less the deleted one.
   */
  async function walkWhileEditing(query: string): Promise<void> {
    const before = (await list(`${query}&limit=100`)).body;
    expect(before.nextCursor).toBeNull();
    const order = before.items.map((i) => i.id);
    const deleted = new Set<string>();
    const seen: string[] = [];
    let res = await list(`${query}&limit=${LIMIT}`);
    for (let page = 0; ; page++) {
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i) => i.id));
      const cursor = res.body.nextCursor;
      if (cursor === null) break;
      const ahead = order.filter((id) => !seen.includes(id) && !deleted.has(id));
      const writes: Promise<unknown>[] = [];
      if (seen.length > 0) writes.push(edit(seen[page % seen.length]!, page % 4));
      // Past the page read meanwhile, so the edit lands before the walk reaches the task.
      const target = ahead.length > LIMIT ? ahead[LIMIT + (page % (ahead.length - LIMIT))]! : undefined;
      if (target) writes.push(edit(target, page % 4));
      if (page === 1 && ahead.length > LIMIT + 1) {
        const victim = ahead.findLast((id) => id !== target)!;
        deleted.add(victim);
        writes.push(api(t, user, 'DELETE', `/api/tasks/${victim}`));
        writes.push(api(t, user, 'POST', '/api/tasks', { body: { title: 'alpha new', priority: 'HIGH' } }));
      }
      const [next] = await Promise.all([list(`${query}&limit=${LIMIT}&cursor=${encodeURIComponent(cursor)}`), ...writes]);
      res = next;
    }
    expect(new Set(seen).size, `no task twice (${query})`).toBe(seen.length);
    const known = new Set(order);
    expect(
      seen.filter((id) => known.has(id) && !deleted.has(id)),
      `the order before the walk, exactly once (${query})`,
    ).toEqual(order.filter((id) => !deleted.has(id)));
  }

  for (const sort of SORTS) {
    for (const filter of FILTERS) {
      it(`should return each task once in the order of the walk's start when sort=${sort} ${filter || '(no filter)'}`, async () => {
        await walkWhileEditing(`sort=${encodeURIComponent(sort)}${filter ? `&${filter}` : ''}`);
      });
    }
  }

  describe('a walk whose changes are no longer kept', () => {
    async function pinnedCursor(): Promise<{ cursor: string; query: string }> {
      const query = 'sort=updatedAt&limit=3';
      const first = (await list(query)).body;
      await edit(first.items[0]!.id, 2);
      return { cursor: first.nextCursor!, query };
    }

    it('should answer 410 cursor-expired when a change after the walk began is past the retention or pruned', async () => {
      const aged = await pinnedCursor();
      await t.prisma.$executeRaw`UPDATE task_changes SET at = now() - interval '400 days' WHERE user_id = ${user.id}::uuid`;
      const expired = expectProblem(await list(`${aged.query}&cursor=${encodeURIComponent(aged.cursor)}`), 410);
      expect(expired.type).toBe('/api/problems/cursor-expired');

      const pruned = await pinnedCursor();
      await t.prisma.$executeRaw`DELETE FROM task_changes WHERE user_id = ${user.id}::uuid`;
      expectProblem(await list(`${pruned.query}&cursor=${encodeURIComponent(pruned.cursor)}`), 410);
    });

    it('should continue a walk nothing changed after, however old its first page', async () => {
      const query = 'sort=-priority&limit=5';
      const first = (await list(query)).body;
      await t.prisma.$executeRaw`UPDATE task_changes SET at = now() - interval '400 days' WHERE user_id = ${user.id}::uuid`;
      expect((await list(`${query}&cursor=${encodeURIComponent(first.nextCursor!)}`)).status).toBe(200);
    });

    it('should answer 400 when the cursor names another feed position than it was signed with', async () => {
      const query = 'sort=createdAt&limit=5';
      const cursor = (await list(query)).body.nextCursor!;
      const [body, mac] = cursor.split('.') as [string, string];
      const position = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
      for (const seq of [0, 1, Number(position[2] ?? 0) + 1, randomUUID()]) {
        const forged = `${Buffer.from(JSON.stringify([position[0], position[1], seq])).toString('base64url')}.${mac}`;
        expectProblem(await list(`${query}&cursor=${encodeURIComponent(forged)}`), 400);
      }
    });
  });
});
