import type { ChangesPage, Task, TaskList } from '@tasks/schemas';
import { sampleTask } from '@tasks/schemas/testing';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { syncTasks, type SyncSocket, type TaskSyncEvent } from './task-sync.js';

const task = (id: string, version: number): Task => sampleTask({ id, version, title: `v${version}` });

const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';

/** A socket driven by the test: `fire` plays what the server would send. */
class FakeSocket implements SyncSocket {
  active = true;
  readonly auths: { token: string; since?: string }[] = [];
  private readonly handlers = new Map<string, ((...args: never[]) => void)[]>();
  constructor(private readonly auth: () => { token: string; since?: string }) {}
  on(event: string, listener: (...args: never[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]);
  }
  connect() {
    this.auths.push(this.auth());
    this.fire('connect');
  }
  disconnect() {
    this.fire('disconnect');
  }
  fire(event: string, ...args: unknown[]) {
    for (const handler of this.handlers.get(event) ?? []) (handler as (...a: unknown[]) => void)(...args);
  }
}

const list = (items: TaskList['items'], changesCursor: string): TaskList => ({ items, total: items.length, limit: 100, offset: 0, nextCursor: null, changesCursor });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(feed: (since: string | null) => ChangesPage | Error, lists: (TaskList | Error)[]) {
  const sockets: FakeSocket[] = [];
  const events: TaskSyncEvent[] = [];
  const sinces: (string | null)[] = [];
  const sync = syncTasks({
    client: {
      token: 't',
      getTasks: () => {
        const page = lists.length > 1 ? lists.shift()! : lists[0]!;
        return page instanceof Error ? Promise.reject(page) : Promise.resolve(page);
      },
      changes: (since) => {
        sinces.push(since ?? null);
        const page = feed(since ?? null);
        return page instanceof Error ? Promise.reject(page) : Promise.resolve(page);
      },
    },
    socket: (auth) => {
      const socket = new FakeSocket(auth);
      sockets.push(socket);
      return socket;
    },
  });
  sync.subscribe((event) => events.push(event));
  return { sync, sockets, events, sinces };
}

describe('syncTasks', () => {
  it('lists, follows events, and after a reconnect resumes from its cursor and says how much it caught up on', async () => {
    const { sync, sockets, events, sinces } = setup(
      (since) =>
        since === 'c2'
          ? { items: [{ cursor: 'c3', type: 'task:created', taskId: ID_B, at: '2026-11-30T10:00:00.000Z', task: task(ID_B, 1), changed: [] }], cursor: 'c3', hasMore: false }
          : { items: [], cursor: since ?? 'c0', hasMore: false },
      [list([task(ID_A, 1)], 'c1')],
    );
    await sync.ready;
    const socket = sockets[0]!;
    socket.connect();
    await flush();
    expect(socket.auths[0]).toEqual({ token: 't', since: 'c1' });
    socket.fire('task:updated', task(ID_A, 2), { cursor: 'c2', at: '2026-11-30T10:00:01.000Z' });
    expect(sync.tasks.get(ID_A)?.version).toBe(2);
    socket.disconnect();
    socket.connect();
    // The server replays the same change the feed returns: applied once.
    socket.fire('task:created', task(ID_B, 1), { cursor: 'c3', at: '2026-11-30T10:00:02.000Z' });
    await flush();
    expect(socket.auths[1]).toEqual({ token: 't', since: 'c2' });
    expect(sinces).toEqual(['c1', 'c2']);
    expect(sync.cursor).toBe('c3');
    expect([...sync.tasks.keys()].sort()).toEqual([ID_A, ID_B]);
    expect(events.filter((event) => event.type === 'caught-up')).toEqual([{ type: 'caught-up', changes: 1, relisted: false }]);
    expect(events.filter((event) => event.type === 'changes').flatMap((event) => (event.type === 'changes' ? event.changes : []))).toHaveLength(2);
  });

  it('lists again when the feed says the cursor expired', async () => {
    const expired = new ApiError({ type: '/api/problems/cursor-expired', title: 'Gone', status: 410, detail: 'expired', instance: '/api/tasks/changes' });
    const { sync, sockets, events } = setup(() => expired, [list([task(ID_A, 1)], 'c1'), list([task(ID_B, 1)], 'c7')]);
    await sync.ready;
    sockets[0]!.connect();
    await flush();
    sockets[0]!.connect();
    await flush();
    expect([...sync.tasks.keys()]).toEqual([ID_B]);
    expect(sync.cursor).toBe('c7');
    expect(events).toContainEqual({ type: 'caught-up', changes: 2, relisted: true });
  });

  it('starts the list walk over when a later page says the walk expired', async () => {
    const expired = new ApiError({ type: '/api/problems/cursor-expired', title: 'Gone', status: 410, detail: 'expired', instance: '/api/tasks' });
    const { sync } = setup((since) => ({ items: [], cursor: since ?? 'c', hasMore: false }), [
      { ...list([task(ID_A, 1)], 'c1'), nextCursor: 'p2' },
      expired,
      { ...list([task(ID_A, 2)], 'c4'), nextCursor: 'p2' },
      list([task(ID_B, 1)], 'c9'),
    ]);
    await sync.ready;
    expect([...sync.tasks.keys()].sort()).toEqual([ID_A, ID_B]);
    expect(sync.tasks.get(ID_A)?.version).toBe(2);
    expect(sync.cursor).toBe('c4');
  });

  it('lists again on tasks:resync and on an invalid-cursor refusal, then reconnects', async () => {
    const { sync, sockets, events } = setup((since) => ({ items: [], cursor: since ?? 'c', hasMore: false }), [
      list([task(ID_A, 1)], 'c1'),
      list([task(ID_A, 2)], 'c5'),
      list([task(ID_A, 3)], 'c9'),
    ]);
    await sync.ready;
    const socket = sockets[0]!;
    socket.fire('tasks:resync', { reason: 'cursor-expired' });
    await flush();
    expect(sync.tasks.get(ID_A)?.version).toBe(2);
    socket.fire('connect_error', new Error('invalid-cursor'));
    await flush();
    await flush();
    expect(sync.tasks.get(ID_A)?.version).toBe(3);
    expect(socket.auths.at(-1)).toEqual({ token: 't', since: 'c9' });
    expect(events.filter((event) => event.type === 'caught-up')).toHaveLength(2);
  });
});
