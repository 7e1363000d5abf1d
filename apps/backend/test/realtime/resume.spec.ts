import { SOCKET_INVALID_CURSOR, TASKS_RESYNC, type Task } from '@tasks/schemas';
import { waitFor } from '@tasks/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChangeCursorCodec } from '../../src/changes/change-cursor.js';
import { call } from '../support/http-client.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';
import { asEvent, feedAfter, headCursor } from './feed.js';
import { EventLog, refusal, tasksClient, type TasksClient } from './socket-client.js';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a socket received, in the shape of `asEvent`. */
const received = (log: EventLog) => log.events.map((e, i) => ({ ...e, meta: log.metas[i] }));

describe.each([
  ['the in-memory adapter', {}],
  ['the Redis streams adapter', { REDIS_URL: SHARED_REDIS }],
])('resuming from a cursor with %s', (_name, env: Record<string, string>) => {
  let t: TestApp;
  const clients: TasksClient[] = [];
  const open = async (token: string, since?: string): Promise<{ socket: TasksClient; log: EventLog }> => {
    const socket = tasksClient(t.url, token, { auth: since === undefined ? { token } : { token, since } });
    clients.push(socket);
    const log = new EventLog(socket);
    socket.connect();
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, log };
  };

  beforeAll(async () => {
    t = await startTestApp({ env });
  });
  afterEach(() => {
    for (const socket of clients.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await t.close();
  });

  it("should give every event its change's cursor and time, the same as the feed's", async () => {
    const owner = await newUser(t);
    const start = await headCursor(t.url, owner.token);
    const { log } = await open(owner.token);
    const task = await newTask(t, owner);
    await call(t.url, 'PATCH', `/api/tasks/${task.id}`, { token: owner.token, body: { status: 'RUNNING' } });
    await call(t.url, 'DELETE', `/api/tasks/${task.id}`, { token: owner.token });
    await log.until(3);

    const feed = await feedAfter(t.url, owner.token, start);
    expect(feed).toHaveLength(3);
    expect(received(log)).toEqual(feed.map(asEvent));
  });

  it('should send every change made while the client was away (no recovery session) exactly once, in order, then live ones', async () => {
    const owner = await newUser(t);
    const first = await open(owner.token);
    await newTask(t, owner);
    await first.log.until(1);
    const since = first.log.lastCursor();
    first.socket.disconnect();

    // More than two pages of the pump, creates and updates mixed.
    const tasks: Task[] = [];
    for (let i = 0; i < 75; i++) tasks.push(await newTask(t, owner));
    for (const task of tasks) await call(t.url, 'PATCH', `/api/tasks/${task.id}`, { token: owner.token, body: { title: `edited ${task.id}` } });
    for (const task of tasks) await call(t.url, 'POST', `/api/tasks/${task.id}/logs`, { token: owner.token, body: { message: 'm' } });
    const missed = await feedAfter(t.url, owner.token, since);
    expect(missed).toHaveLength(225);

    const { socket, log } = await open(owner.token, since);
    expect(socket.recovered).toBe(false);
    await log.until(225, 60_000);
    const live = await newTask(t, owner);
    await log.until(226);
    expect(received(log).slice(0, 225)).toEqual(missed.map(asEvent));
    expect(log.events[225]).toEqual({ event: 'task:created', payload: live });
    expect(log.events).toHaveLength(226);
  }, 120_000);

  it('should start at the head without since: only changes committed after the connect', async () => {
    const owner = await newUser(t);
    await newTask(t, owner);
    const { log } = await open(owner.token);
    const task = await newTask(t, owner);
    await log.until(1);
    expect(log.events).toEqual([{ event: 'task:created', payload: task }]);
  });

  it.each([
    ['malformed', () => 'garbage'],
    ['not a string', () => 42],
    ['too long', () => 'x'.repeat(10_000)],
  ])('should refuse the handshake with connect_error "invalid-cursor" when since is %s', async (_case, since) => {
    const owner = await newUser(t);
    const error = await refusal(tasksClient(t.url, owner.token, { auth: { token: owner.token, since: since() } }));
    expect(error.message).toBe(SOCKET_INVALID_CURSOR);
  });

  it("should refuse another user's cursor and a cursor past the user's newest change alike", async () => {
    const owner = await newUser(t);
    const other = await newUser(t);
    await newTask(t, other);
    const foreign = await headCursor(t.url, other.token);
    const future = new ChangeCursorCodec(TEST_JWT_SECRET).encode(owner.id, 5);
    for (const since of [foreign, future]) {
      const error = await refusal(tasksClient(t.url, owner.token, { auth: { token: owner.token, since } }));
      expect(error.message).toBe(SOCKET_INVALID_CURSOR);
      expect(error.data).toEqual((await refusal(tasksClient(t.url, owner.token, { auth: { token: owner.token, since: 'x' } }))).data);
    }
  });

  it('should deliver exactly the committed changes, once each and in order, to sockets connecting while writes run', async () => {
    const owner = await newUser(t);
    const start = await headCursor(t.url, owner.token);
    let writing = true;
    const writer = async (n: number): Promise<void> => {
      for (let i = 0; i < 12; i++) {
        const task = await newTask(t, owner, { title: `w${n}-${i}` });
        await call(t.url, 'PATCH', `/api/tasks/${task.id}`, { token: owner.token, body: { status: 'RUNNING' } });
        await call(t.url, 'PATCH', `/api/tasks/${task.id}/complete`, { token: owner.token });
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map(writer)).finally(() => (writing = false));
    const resumed: EventLog[] = [];
    const fresh: EventLog[] = [];
    while (writing && resumed.length < 6) {
      resumed.push((await open(owner.token, start)).log);
      fresh.push((await open(owner.token)).log);
      await sleep(40);
    }
    await writers;
    const feed = await feedAfter(t.url, owner.token, start);
    expect(feed).toHaveLength(4 * 12 * 3);
    const cursors = feed.map((change) => change.cursor);
    for (const log of resumed) {
      await log.until(feed.length, 30_000);
      expect(received(log)).toEqual(feed.map(asEvent));
    }
    // Without since, a socket gets a contiguous tail of the feed: nothing after its connect skipped.
    // Events follow the commit, not the response: wait for the marker's own cursor, not a count.
    const marker = await newTask(t, owner);
    const [markerChange] = await feedAfter(t.url, owner.token, cursors.at(-1)!);
    for (const log of fresh) {
      await waitFor('the marker event', () => Promise.resolve(log.metas.some((m) => m.cursor === markerChange!.cursor)), 10_000);
      const all = log.metas.map((m) => m.cursor);
      expect(log.events.at(-1)).toEqual({ event: 'task:created', payload: marker });
      const tail = all.slice(0, -1);
      expect(tail).toEqual(cursors.slice(cursors.length - tail.length));
    }
    // Per task, versions only go up.
    const versions = new Map<string, number>();
    for (const change of feed) {
      const version = change.task?.version ?? Number.MAX_SAFE_INTEGER;
      expect(version).toBeGreaterThan(versions.get(change.taskId) ?? 0);
      versions.set(change.taskId, version);
    }
  }, 120_000);
});

describe('resuming from an expired cursor', () => {
  let t: TestApp;
  let owner: TestUser;
  const clients: TasksClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { CHANGES_RETENTION: '1s' } });
    owner = await newUser(t);
  });
  afterAll(async () => {
    for (const socket of clients) socket.disconnect();
    await t.close();
  });

  it('should send tasks:resync first, then only live events', async () => {
    const since = await headCursor(t.url, owner.token);
    await newTask(t, owner);
    await sleep(1_500);
    const socket = tasksClient(t.url, owner.token, { auth: { token: owner.token, since } });
    clients.push(socket);
    const log = new EventLog(socket);
    socket.connect();
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const live = await newTask(t, owner);
    await log.until(1);
    expect(log.order).toEqual([TASKS_RESYNC, 'task:created']);
    expect(log.events).toEqual([{ event: 'task:created', payload: live }]);
  });
});
