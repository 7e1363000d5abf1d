import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { TASKS_NAMESPACE, type Task } from '@tasks/schemas';
import { io, type Socket } from 'socket.io-client';
import { createContractClient, syncTasks, type ContractClient, type TaskSync, type TaskSyncEvent } from '../src/lib/api/contract-client.js';
import { expect, test } from './fixtures.js';
import { createDatabase, makeDataDir, serverEnv, startServer, type RunningServer } from './server.js';

// Its own server, keeping changes for three seconds, so a cursor expires for real.
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
    serverEnv(dataDir.dir, database, { CHANGES_RETENTION: '3s' }),
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
  /** The next handshake sends this cursor instead of the sync's own. */
  tamperOnce(since: string): void;
}

/** A sync over the real socket and a client that counts the lists it reads. */
function follow(client: ContractClient): Followed {
  let socket: Socket | undefined;
  let lists = 0;
  let tampered: string | null = null;
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
    socket: (auth) =>
      (socket = io(`${server.url}${TASKS_NAMESPACE}`, {
        auth: (send) => {
          const since = tampered;
          tampered = null;
          send(since === null ? auth() : { ...auth(), since });
        },
        transports: ['websocket'],
      })),
  });
  const events: TaskSyncEvent[] = [];
  sync.subscribe((event) => events.push(event));
  return { sync, socket: () => socket!, events, lists: () => lists, tamperOnce: (since) => void (tampered = since) };
}

const titles = (sync: TaskSync) => sync.sorted().map((task: Task) => task.title).sort();
const relists = (followed: Followed) => followed.events.filter((event) => event.type === 'caught-up' && event.relisted).length;

test('should list again exactly once when it reconnects with a cursor past the retention, and then follow live changes', async () => {
  const owner = await newClient();
  const kept = await owner.createTask({ title: 'Kept' });
  const doomed = await owner.createTask({ title: 'Doomed' });
  const followed = follow(owner);
  try {
    await followed.sync.ready;
    await expect.poll(() => followed.sync.connected).toBe(true);
    followed.socket().disconnect();
    const stale = followed.sync.cursor!;
    const [listsBefore, relistsBefore] = [followed.lists(), relists(followed)];
    // Another device changes things while this one is away.
    await owner.createTask({ title: 'Made while away' });
    await owner.updateTask(kept.id, { title: 'Renamed while away' });
    await owner.deleteTask(doomed.id);
    // Away for longer than the retention: the feed refuses the cursor it holds.
    await expect
      .poll(() => owner.changes(stale).then(() => 200, (error: { status: number }) => error.status), { timeout: 30_000 })
      .toBe(410);

    followed.socket().connect();
    await expect.poll(() => relists(followed)).toBe(relistsBefore + 1);
    expect(titles(followed.sync)).toEqual(['Made while away', 'Renamed while away']);

    // A live change seen after the resync: every run scheduled by the reconnect has ended by then.
    await owner.createTask({ title: 'Made after' });
    await expect.poll(() => titles(followed.sync)).toEqual(['Made after', 'Made while away', 'Renamed while away']);
    expect(followed.lists()).toBe(listsBefore + 1);
    expect(relists(followed)).toBe(relistsBefore + 1);
  } finally {
    followed.sync.close();
  }
});

test('should list again once when the server refuses its cursor as invalid, then reconnect with its own', async () => {
  const owner = await newClient();
  const other = await newClient();
  await owner.createTask({ title: 'Mine' });
  await other.createTask({ title: 'Not mine' });
  const foreign = (await other.getTasks()).changesCursor;
  const followed = follow(owner);
  try {
    await followed.sync.ready;
    await expect.poll(() => followed.sync.connected).toBe(true);
    followed.socket().disconnect();
    await owner.createTask({ title: 'Made while away' });
    const [listsBefore, relistsBefore] = [followed.lists(), relists(followed)];

    // Another user's cursor is refused with connect_error "invalid-cursor".
    followed.tamperOnce(foreign);
    followed.socket().connect();
    await expect.poll(() => followed.events.some((event) => event.type === 'error' && event.error.message === 'invalid-cursor')).toBe(true);
    await expect.poll(() => followed.sync.connected).toBe(true);
    expect(titles(followed.sync)).toEqual(['Made while away', 'Mine']);
    expect(followed.lists()).toBe(listsBefore + 1);
    expect(relists(followed)).toBe(relistsBefore + 1);
  } finally {
    followed.sync.close();
  }
});
