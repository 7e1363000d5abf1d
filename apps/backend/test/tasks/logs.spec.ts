import { logEntrySchema, logPageSchema, type LogEntry, type LogPage, type Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, comparable404, expectProblem, expectTask } from './helpers.js';

const KEEP = 5;

describe('task logs (their own resource)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ env: { TASKS_LOG_LIMIT: String(KEEP) } });
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const append = (task: { id: string }, message: string, level?: string, as: TestUser = user) =>
    api<LogEntry>(t, as, 'POST', `/api/tasks/${task.id}/logs`, { body: level === undefined ? { message } : { message, level } });
  const page = (task: { id: string }, query = '', as: TestUser = user) =>
    api<LogPage>(t, as, 'GET', `/api/tasks/${task.id}/logs${query}`);

  /** Every kept entry, newest first, by following nextCursor with `limit`. */
  async function walk(task: { id: string }, limit: number): Promise<LogEntry[]> {
    const seen: LogEntry[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof page>> = await page(task, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const body = logPageSchema.parse(res.body);
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor !== null);
    return seen;
  }

  it('should answer 201 with the entry, the new version as ETag, and change the task without embedding entries', async () => {
    const task = await newTask(t, user);
    const before = Date.now();
    const res = await append(task, ' started ');
    expect(res.status).toBe(201);
    const entry = logEntrySchema.parse(res.body);
    expect(entry).toMatchObject({ level: 'info', message: 'started' });
    expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(before - 1);
    expect(res.headers.get('etag')).toBe('"2"');

    const after = expectTask((await api<Task>(t, user, 'GET', `/api/tasks/${task.id}`)).body);
    expect(after).toMatchObject({ version: 2, logCount: 1, lastLog: entry, updatedAt: entry.at });
    expect(after).not.toHaveProperty('logs');
    expect(JSON.stringify(after)).not.toContain('logSeq');
  });

  it(`should keep only the newest ${KEEP} entries, newest first, when more are appended`, async () => {
    const task = await newTask(t, user);
    for (let i = 1; i <= KEEP + 3; i++) expect((await append(task, `line ${i}`, 'warn')).status).toBe(201);
    const kept = await walk(task, 2);
    expect(kept.map((entry) => entry.message)).toEqual(['line 8', 'line 7', 'line 6', 'line 5', 'line 4']);
    const rows = await t.prisma.taskLog.count({ where: { taskId: task.id } });
    expect(rows).toBe(KEEP);
    expect(expectTask((await api(t, user, 'GET', `/api/tasks/${task.id}`)).body)).toMatchObject({ logCount: KEEP, version: 1 + KEEP + 3 });
  });

  it('should lose none of the newest entries and count every append when appends race', async () => {
    const task = await newTask(t, user);
    const messages = Array.from({ length: 20 }, (_, i) => `racing ${i}`);
    const results = await Promise.all(messages.map((message) => append(task, message, 'error')));
    expect(results.map((r) => r.status)).toEqual(messages.map(() => 201));
    // Each append got its own version.
    expect(new Set(results.map((r) => r.headers.get('etag'))).size).toBe(messages.length);
    const row = await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row).toMatchObject({ version: 1 + messages.length, logCount: KEEP, logSeq: messages.length });
    const kept = await walk(task, 50);
    expect(kept).toHaveLength(KEEP);
    // The kept ones are the last KEEP appends in commit order (the answers' ETags).
    const byVersion = [...results].sort((a, b) => Number(b.headers.get('etag')!.slice(1, -1)) - Number(a.headers.get('etag')!.slice(1, -1)));
    expect(kept.map((entry) => entry.id)).toEqual(byVersion.slice(0, KEEP).map((r) => r.body.id));
    expect(await t.prisma.taskLog.count({ where: { taskId: task.id } })).toBeLessThanOrEqual(KEEP + 1);
  });

  it('should page newest first with an opaque cursor that visits every entry once', async () => {
    const task = await newTask(t, user);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await append(task, `p${i}`)).body.id);
    const first = await page(task, '?limit=3');
    expect(first.body.items.map((entry) => entry.id)).toEqual(ids.slice(1).reverse());
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await page(task, `?limit=3&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    // Default limit and the empty log.
    expect((await page(task)).body.items).toHaveLength(4);
    expect((await page(await newTask(t, user))).body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit=0', '?limit=0', 'limit'],
    ['limit=201', '?limit=201', 'limit'],
    ['limit=abc', '?limit=abc', 'limit'],
    ['an empty cursor', '?cursor=', 'cursor'],
    ['an unknown parameter', '?offset=3', 'offset'],
  ])('should answer 400 naming the parameter when the log query has %s', async (_label, query, field) => {
    const task = await newTask(t, user);
    const problem = expectProblem(await page(task, query), 400);
    expect(problem.errors?.map((error) => error.path)).toContain(field);
  });

  it('should answer 400 for a malformed, tampered or other task’s cursor', async () => {
    const task = await newTask(t, user);
    const other = await newTask(t, user);
    for (let i = 0; i < 3; i++) await append(task, `c${i}`);
    await append(other, 'o');
    const cursor = (await page(task, '?limit=1')).body.nextCursor!;
    const [seq, mac] = cursor.split('.') as [string, string];
    for (const bad of ['garbage', `${Number(seq) + 1}.${mac}`, `${seq}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, `${seq}`]) {
      expectProblem(await page(task, `?cursor=${encodeURIComponent(bad)}`), 400);
    }
    expectProblem(await page(other, `?cursor=${encodeURIComponent(cursor)}`), 400);
  });

  it('should answer the same 404 for another user’s, a deleted and a missing task, with or without a cursor', async () => {
    const task = await newTask(t, user);
    await append(task, 'a');
    await append(task, 'b');
    const cursor = (await page(task, '?limit=1')).body.nextCursor!;
    const stranger = await newUser(t);
    const missing = comparable404(await page({ id: '00000000-0000-4000-8000-000000000000' }));
    expect(comparable404(await page(task, '', stranger))).toEqual(missing);
    expect(comparable404(await page(task, `?cursor=${encodeURIComponent(cursor)}`, stranger))).toEqual(missing);
    expect(comparable404(await page(task, '?cursor=garbage', stranger))).toEqual(missing);
    expect(comparable404(await append(task, 'pwned', undefined, stranger))).toEqual(missing);
    expect(await t.prisma.taskLog.count({ where: { taskId: task.id, message: 'pwned' } })).toBe(0);

    expect((await api(t, user, 'DELETE', `/api/tasks/${task.id}`)).status).toBe(204);
    expect(comparable404(await page(task))).toEqual(missing);
    expect(comparable404(await append(task, 'late'))).toEqual(missing);
  });

  it('should refuse a message over 2000 characters or blank, and accept 2000 of the widest characters', async () => {
    const task = await newTask(t, user);
    expectProblem(await append(task, 'x'.repeat(2001)), 400);
    expectProblem(await append(task, '   '), 400);
    // 2000 UTF-16 units are at most 6000 bytes of UTF-8, inside the 8 KiB bound.
    expect((await append(task, '€'.repeat(2000))).status).toBe(201);
    expect((await append(task, '😀'.repeat(1000))).status).toBe(201);
    expect((await api(t, user, 'GET', `/api/tasks/${task.id}`)).body).toMatchObject({ logCount: 2 });
  });
});
