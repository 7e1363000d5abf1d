import { logPageSchema, taskListSchema, taskSchema, type Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, type TasksClient } from '../realtime/socket-client.js';
import { newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MIB = 1024 * 1024;
const EVENT_MAX = 64 * 1024;
/** U+0001 is one byte of UTF-8 but six in JSON (\u0001): the heaviest character per length unit. */
const worst = (length: number) => '\u0001'.repeat(length);

/**
 * Whatever a user stores, no response exceeds 1 MiB and no event 64 KiB: every field filled with the
 * characters that cost the most in JSON, a task with every log entry it may keep, and a full list page.
 */
describe('response and event sizes with worst-case data', () => {
  let t: TestApp;
  let user: TestUser;
  let socket: TasksClient;
  const eventBytes: number[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    socket = await connected(t.url, user.token);
    socket.onAny((event: string, ...args: unknown[]) => eventBytes.push(Buffer.byteLength(JSON.stringify([event, ...args]))));
  });
  afterAll(async () => {
    socket.disconnect();
    await t.close();
  });

  async function send(method: string, path: string, body?: unknown): Promise<{ status: number; bytes: number; json: unknown }> {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { ...user.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, bytes: Buffer.byteLength(text), json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** A FAILED task with a title, description, error message and last log entry of worst-case characters. */
  async function worstTask(): Promise<Task> {
    const created = await send('POST', '/api/tasks', { title: worst(200), description: worst(2000) });
    expect(created.status).toBe(201);
    const { id } = created.json as Task;
    expect((await send('PATCH', `/api/tasks/${id}`, { status: 'RUNNING' })).status).toBe(200);
    expect((await send('PATCH', `/api/tasks/${id}`, { status: 'FAILED', errorMessage: worst(2000) })).status).toBe(200);
    expect((await send('POST', `/api/tasks/${id}/logs`, { message: worst(2000), level: 'error' })).status).toBe(201);
    return taskSchema.parse((await send('GET', `/api/tasks/${id}`)).json);
  }

  it('should keep a task, its log pages and its events small when it holds every entry it may, all worst-case', async () => {
    const task = await worstTask();
    for (let i = 0; i < 200; i++) {
      const res = await send('POST', `/api/tasks/${task.id}/logs`, { message: worst(2000), level: 'warn' });
      expect(res.status).toBe(201);
      expect(res.bytes).toBeLessThan(EVENT_MAX);
    }
    const got = await send('GET', `/api/tasks/${task.id}`);
    expect(got.status).toBe(200);
    expect(got.bytes).toBeLessThan(EVENT_MAX);
    expect(got.json).toMatchObject({ logCount: 200 });

    // The largest log page the API allows still stays under 1 MiB; the cursor carries on from where it stopped.
    let cursor: string | null = null;
    let entries = 0;
    let largest = 0;
    do {
      const res = await send('GET', `/api/tasks/${task.id}/logs?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.bytes).toBeLessThanOrEqual(MIB);
      largest = Math.max(largest, res.bytes);
      const body = logPageSchema.parse(res.json);
      entries += body.items.length;
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(entries).toBe(200);
    console.info(`[sizes] task ${got.bytes} B, largest log page ${largest} B`);
  }, 120_000);

  it('should keep a list page under 1 MiB, continuing at offset + limit, when 100 worst-case tasks fill it', async () => {
    const ids = new Set<string>();
    for (let batch = 0; batch < 20; batch++) {
      // Five at a time: the running cap (5) is the limit of tasks RUNNING at once.
      const made = await Promise.all(Array.from({ length: 5 }, () => worstTask()));
      for (const task of made) ids.add(task.id);
    }
    const first = await send('GET', '/api/tasks?limit=100');
    expect(first.status).toBe(200);
    expect(first.bytes).toBeLessThanOrEqual(MIB);
    const page = taskListSchema.parse(first.json);
    expect(page.items.length).toBeLessThan(100);
    expect(page.limit).toBe(page.items.length);

    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const res = await send('GET', `/api/tasks?limit=100&offset=${offset}`);
      expect(res.bytes).toBeLessThanOrEqual(MIB);
      const body = taskListSchema.parse(res.json);
      seen.push(...body.items.map((task) => task.id));
      if (body.items.length === 0 || offset + body.limit >= body.total) break;
      offset += body.limit;
    }
    expect(seen.filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
    console.info(`[sizes] list page ${first.bytes} B with ${page.items.length} tasks`);
  }, 180_000);

  it('should never have sent an event of 64 KiB or more', () => {
    expect(eventBytes.length).toBeGreaterThan(300);
    expect(Math.max(...eventBytes)).toBeLessThan(EVENT_MAX);
    console.info(`[sizes] largest event ${Math.max(...eventBytes)} B of ${eventBytes.length}`);
  });
});
