import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { TASKS_NAMESPACE, type Task } from '@tasks/schemas';
import { io, type Socket } from 'socket.io-client';
import { createContractClient, syncTasks, type ContractClient, type TaskSync, type TaskSyncEvent } from '../src/lib/api/contract-client.js';
import { expect, test } from './fixtures.js';
import { createDatabase, makeDataDir, startServer, type RunningServer } from './server.js';

// Its own server, keeping changes for one second, so a cursor expires for real.
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let server: RunningServer;
let cleanUp: () => Promise<void>;

test.beforeAll(async () => {
  const dataDir = makeDataDir();
  const database = await createDatabase(process.env.DATABASE_URL || undefined);
  cleanUp = async () => {
    await database.drop();
    dataDir.remove();
  };
  server = await startServer(
    {
      NODE_ENV: 'test',
      DATA_DIR: dataDir.dir,
      DATABASE_URL: database.url ?? '',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'info',
      CHANGES_RETENTION: '1s',
    },
    path.resolve(import.meta.dirname, '../test-results/backend-expired-cursor.log'),
  );
});

test.afterAll(async () => {
  await server?.stop();
  await cleanUp?.();
});

async function newClient(): Promise<ContractClient> {
  const client = createContractClient({ baseUrl: server.url });
  await client.register({ email: `user-${randomUUID()}@e2e.example.com`, password: `pw-${randomUUID()}` });
  return client;
}

interface Followed {
  sync: TaskSync;
  /** The sync's socket, to take it offline and back. */
  socket(): Socket;
  events: TaskSyncEvent[];
  /** Lists read (first pages of `GET /api/tasks`). */
  lists(): number;
}

/** A sync over the real socket and a client that counts the lists it reads. */
function follow(client: ContractClient): Followed {
  let socket: Socket | undefined;
  let lists = 0;
  const counted = {
    get token() {
      return client.token;
    },
    changes: client.changes,
    getTasks: (filter: Parameters<ContractClient['getTasks']>[0] = {}) => {
      if (filter.cursor === undefined) lists++;
      return client.getTasks(filter);
    },
  };
  const sync = syncTasks({
    client: counted,
    socket: (auth) => (socket = io(`${server.url}${TASKS_NAMESPACE}`, { auth: (send) => send(auth()), transports: ['websocket'] })),
  });
  const events: TaskSyncEvent[] = [];
  sync.subscribe((event) => events.push(event));
  return { sync, socket: () => socket!, events, lists: () => lists };
}

const titles = (sync: TaskSync) => sync.sorted().map((task: Task) => task.title).sort();

test('should list again exactly once when it reconnects with a cursor past the retention, and then follow live changes', async () => {
  const owner = await newClient();
  const kept = await owner.createTask({ title: 'Kept' });
  const doomed = await owner.createTask({ title: 'Doomed' });
  const followed = follow(owner);
  try {
    await followed.sync.ready;
    await expect.poll(() => followed.sync.connected).toBe(true);
    expect(followed.lists()).toBe(1);

    followed.socket().disconnect();
    const stale = followed.sync.cursor!;
    // Another device changes things while this one is away.
    await owner.createTask({ title: 'Made while away' });
    await owner.updateTask(kept.id, { title: 'Renamed while away' });
    await owner.deleteTask(doomed.id);
    // Away for longer than the retention: the feed refuses the cursor it holds.
    await expect
      .poll(() => owner.changes(stale).then(() => 200, (error: { status: number }) => error.status), { timeout: 30_000 })
      .toBe(410);

    followed.socket().connect();
    await expect.poll(() => followed.events.some((event) => event.type === 'caught-up' && event.relisted)).toBe(true);
    expect(titles(followed.sync)).toEqual(['Made while away', 'Renamed while away']);

    // A live change seen after the resync: every run scheduled by the reconnect has ended by then.
    await owner.createTask({ title: 'Made after' });
    await expect.poll(() => titles(followed.sync)).toEqual(['Made after', 'Made while away', 'Renamed while away']);
    expect(followed.lists()).toBe(2);
    expect(followed.events.filter((event) => event.type === 'caught-up' && event.relisted)).toHaveLength(1);
  } finally {
    followed.sync.close();
  }
});
