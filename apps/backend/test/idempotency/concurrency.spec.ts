import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFingerprint } from '../../src/idempotency/idempotency-key.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, expectProblem } from '../tasks/helpers.js';
import { holdTaskWrites } from './hold.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Idempotency-Key: concurrent and lost requests', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function keyState(key: string): Promise<string | undefined> {
    const row = await t.prisma.idempotencyKey.findUnique({ where: { userId_key: { userId: user.id, key } } });
    return row?.state;
  }

  it('creates exactly one task for 50 concurrent requests with one key', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const title = `race-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api<Task>(t, user, 'POST', '/api/tasks', { body: { title }, headers })),
    );
    const created = answers.filter((res) => res.status === 201);
    const fresh = created.filter((res) => res.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    for (const res of created) expect(res.body.id).toBe(fresh[0]?.body.id);
    for (const res of answers.filter((r) => r.status !== 201)) {
      expect(expectProblem(res, 409).type).toBe('/api/problems/idempotency-key-in-progress');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(await t.prisma.task.count({ where: { userId: user.id, title } })).toBe(1);
  });

  /** A key row as another instance's request holding it would leave it (lease `leaseMs` from now). */
  async function seedRunning(key: string, path: string, body: unknown, leaseMs: number): Promise<void> {
    await t.prisma.idempotencyKey.create({
      data: {
        userId: user.id,
        key,
        fingerprint: requestFingerprint('PATCH', path, body),
        state: 'running',
        owner: randomUUID(),
        lockedUntil: new Date(Date.now() + leaseMs),
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
  }

  it('answers 409 in-progress while the first request holds the key, changing nothing', async () => {
    const task = await newTask(t, user);
    const key = randomUUID();
    await seedRunning(key, `/api/tasks/${task.id}`, { title: 'slow' }, 60_000);
    const res = await api(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'slow' }, headers: { 'idempotency-key': key } });
    expect(expectProblem(res, 409).type).toBe('/api/problems/idempotency-key-in-progress');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await t.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).version).toBe(task.version);
  });

  it('runs the request again when the holder of the key let its lease lapse (it died before committing)', async () => {
    const task = await newTask(t, user);
    const key = randomUUID();
    await seedRunning(key, `/api/tasks/${task.id}`, { title: 'again' }, -1_000);
    const res = await api<Task>(t, user, 'PATCH', `/api/tasks/${task.id}`, { body: { title: 'again' }, headers: { 'idempotency-key': key } });
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(res.body.version).toBe(task.version + 1);
    expect(await keyState(key)).toBe('done');
  });

  it('replays the answer of a request whose client hung up before it, applying nothing twice', async () => {
    const key = randomUUID();
    const title = `lost-${randomUUID()}`;
    const body = JSON.stringify({ title });
    const { port } = new URL(t.url);
    const hold = await holdTaskWrites(t);
    let received = 0;
    try {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${user.headers.authorization}\r\n` +
          `Content-Type: application/json\r\nIdempotency-Key: ${key}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await hold.waiter();
      socket.destroy();
    } finally {
      await hold.release();
    }
    expect(received).toBe(0);
    // The server finishes the request on its own: the key's answer is kept.
    while ((await keyState(key)) !== 'done') await sleep(50);
    const retry = await api<Task>(t, user, 'POST', '/api/tasks', { body: { title }, headers: { 'idempotency-key': key } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(`/api/tasks/${retry.body.id}`);
    expect(await t.prisma.task.count({ where: { userId: user.id, title } })).toBe(1);
  });
});
