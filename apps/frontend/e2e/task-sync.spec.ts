import { io, type Socket } from 'socket.io-client';
import { syncTasks, type TaskSyncEvent } from '../src/lib/api/contract-client.js';
import { baseUrl, expect, test } from './fixtures.js';

test.describe('sync helper of the contract client', () => {
  test('should list once, follow live changes and catch up on each missed change exactly once after a disconnect', async ({ newUser }) => {
    const owner = await newUser();
    const first = await owner.client.createTask({ title: 'Listed' });
    let socket: Socket | undefined;
    const sync = syncTasks({
      client: owner.client,
      socket: (auth) => (socket = io(`${baseUrl()}/tasks`, { auth: (send) => send(auth()), transports: ['websocket'] })),
    });
    const events: TaskSyncEvent[] = [];
    sync.subscribe((event) => events.push(event));
    try {
      await sync.ready;
      expect([...sync.tasks.keys()]).toEqual([first.id]);
      await expect.poll(() => sync.connected).toBe(true);
      const live = await owner.client.createTask({ title: 'Live' });
      await expect.poll(() => sync.tasks.has(live.id)).toBe(true);

      // Away (a disconnect the client chose: no recovery by Socket.IO) while another client changes things.
      socket!.disconnect();
      await owner.client.updateTask(first.id, { title: 'Changed while away' });
      await owner.client.deleteTask(live.id);
      const made = await owner.client.createTask({ title: 'Made while away' });
      socket!.connect();
      await expect.poll(() => events.find((event) => event.type === 'caught-up')).toEqual({ type: 'caught-up', changes: 3, relisted: false });

      const server = await owner.client.getTasks({ limit: 100 });
      expect(sync.sorted()).toEqual(server.items);
      expect(sync.tasks.get(first.id)?.title).toBe('Changed while away');
      expect(sync.tasks.has(made.id)).toBe(true);
      const applied = events.flatMap((event) => (event.type === 'changes' ? event.changes : []));
      // Every change once: created (live), then the three missed ones; nothing twice.
      expect(applied.map((change) => `${change.type} ${change.task?.version ?? '-'}`)).toEqual([
        'task:created 1',
        'task:updated 2',
        'task:deleted -',
        'task:created 1',
      ]);
    } finally {
      sync.close();
    }
  });
});
