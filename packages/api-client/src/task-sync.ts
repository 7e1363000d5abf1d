import {
  SOCKET_INVALID_CURSOR,
  SOCKET_UNAUTHORIZED,
  TASKS_NAMESPACE,
  TASKS_RESYNC,
  taskEventMetaSchema,
  taskEventSchemas,
  type Change,
  type Task,
  type TaskEventName,
  type TasksHandshakeAuth,
} from '@tasks/schemas';
import { io } from 'socket.io-client';
import type { ContractClient } from './contract-client.js';
import { ApiError, ContractDriftError } from './errors.js';
import { TaskSyncState, type SyncChange } from './task-sync-state.js';

export { TaskSyncState, type SyncChange } from './task-sync-state.js';

const LIST_PAGE = 100;
/** Walks started before a list gives up on 410 (each restart is a fresh first page). */
const LIST_ATTEMPTS = 3;
const FEED_PAGE = 1000;
/** Default bound of the initial list: 100 pages of 100 tasks. */
const LIST_PAGES_DEFAULT = 100;
const RETRY_CONNECT_MS = 2000;
const EVENTS: readonly TaskEventName[] = ['task:created', 'task:updated', 'task:deleted'];

/** The socket as the sync uses it (socket.io-client's `Socket` is one). */
export interface SyncSocket {
  readonly active: boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

/** Opens the `/tasks` socket; `auth` is read again on every (re)connect, so it resumes from the latest cursor. */
export type SyncSocketFactory = (auth: () => TasksHandshakeAuth) => SyncSocket;

export interface TaskSyncOptions {
  client: Pick<ContractClient, 'getTasks' | 'changes' | 'token'>;
  /** Origin of the API, for the default socket. */
  baseUrl?: string;
  socket?: SyncSocketFactory;
  /** Pages of 100 tasks read when listing (at start and after an expired cursor); default 100. */
  listPages?: number;
}

export type TaskSyncEvent =
  /** Changes applied (duplicates and older versions are left out). */
  | { type: 'changes'; changes: SyncChange[] }
  /** After a reconnect or a resync: how many changes it caught up on, and whether it had to list again. */
  | { type: 'caught-up'; changes: number; relisted: boolean }
  | { type: 'connection'; connected: boolean }
  | { type: 'error'; error: Error };

export interface TaskSync {
  /** Resolves once the first list is read (the tasks are then known); rejects if it fails. */
  readonly ready: Promise<void>;
  readonly tasks: ReadonlyMap<string, Task>;
  /** The tasks, newest first. */
  sorted(): Task[];
  readonly cursor: string | null;
  readonly connected: boolean;
  /** False when the list was longer than `listPages` pages: `tasks` then holds a part of them. */
  readonly complete: boolean;
  subscribe(listener: (event: TaskSyncEvent) => void): () => void;
  close(): void;
}

const NO_RUNS = { changes: 0, relisted: false, report: false, ok: false };

const fromChange = (change: Change): SyncChange => ({ type: change.type, taskId: change.taskId, task: change.task, cursor: change.cursor });

function defaultSocket(baseUrl: string): SyncSocketFactory {
  return (auth) => io(`${baseUrl}${TASKS_NAMESPACE}`, { auth: (send) => send(auth()), transports: ['websocket', 'polling'] });
}

/**
 * Lists the tasks once, then follows the socket from the list's `changesCursor` and, after every
 * (re)connect or `tasks:resync`, the change feed until it has no more. Socket events that arrive
 * while the feed is read wait and are applied after it; every change goes through TaskSyncState,
 * so one seen twice is a no-op.
 */
export function syncTasks(options: TaskSyncOptions): TaskSync {
  const { client } = options;
  const pages = options.listPages ?? LIST_PAGES_DEFAULT;
  const openSocket = options.socket ?? (options.baseUrl !== undefined ? defaultSocket(options.baseUrl) : undefined);
  if (openSocket === undefined) throw new Error('syncTasks needs baseUrl or a socket factory');
  const state = new TaskSyncState();
  const listeners = new Set<(event: TaskSyncEvent) => void>();
  let socket: SyncSocket | null = null;
  let closed = false;
  let connected = false;
  let connectedBefore = false;
  let complete = false;
  /** Events held while the feed or a list is being read; null when none is. */
  let held: SyncChange[] | null = null;
  let queue: Promise<void> = Promise.resolve();
  let pendingRuns = 0;
  /** Lists read so far. */
  let listsRead = 0;
  /** What the runs since events were last released did; reported once they all have ended. */
  let batch = NO_RUNS;

  const emit = (event: TaskSyncEvent) => {
    if (!closed) for (const listener of listeners) listener(event);
  };
  const applyAll = (changes: readonly SyncChange[]): SyncChange[] => {
    const applied = changes.filter((change) => state.apply(change));
    if (applied.length > 0) emit({ type: 'changes', changes: applied });
    return applied;
  };

  async function list(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await listOnce();
      } catch (error) {
        // A walk whose changes since its first page are no longer kept (410) starts over.
        if (!(error instanceof ApiError && error.status === 410) || attempt >= LIST_ATTEMPTS) throw error;
      }
    }
  }

  async function listOnce(): Promise<number> {
    const items: Task[] = [];
    let first: string | null = null;
    let cursor: string | null = null;
    complete = false;
    for (let page = 0; page < pages && !complete; page++) {
      const result = await client.getTasks({ limit: LIST_PAGE, ...(cursor === null ? {} : { cursor }) });
      // Later pages are read after the first, as of its position: the feed from there covers what changed meanwhile.
      first ??= result.changesCursor;
      items.push(...result.items);
      cursor = result.nextCursor;
      complete = cursor === null;
    }
    if (first === null) throw new Error('no list page read');
    listsRead++;
    return state.reset(items, first);
  }

  /** Reads the feed from the current cursor until it has no more (lists again once it expired). */
  async function catchUp(relist: boolean): Promise<{ changes: number; relisted: boolean }> {
    if (relist) return { changes: await list(), relisted: true };
    let changes = 0;
    for (;;) {
      let page;
      try {
        page = await client.changes(state.cursor ?? undefined, FEED_PAGE);
      } catch (error) {
        if (error instanceof ApiError && error.status === 410) return { changes: changes + (await list()), relisted: true };
        throw error;
      }
      changes += applyAll(page.items.map(fromChange)).length;
      state.advanceTo(page.cursor);
      if (!page.hasMore || closed) return { changes, relisted: false };
    }
  }

  /**
   * Runs catch-ups one after another, holding socket events meanwhile. A list asked for (tasks:resync,
   * invalid-cursor) is not read again when one was read since the ask: a reconnect with an expired
   * cursor gets both the feed's 410 and tasks:resync, and the feed from the fresh list covers the rest.
   */
  function schedule(relist: boolean, report: boolean): Promise<void> {
    pendingRuns++;
    held ??= [];
    const listsBefore = listsRead;
    queue = queue.then(async () => {
      try {
        const result = await catchUp(relist && listsRead === listsBefore);
        batch = { changes: batch.changes + result.changes, relisted: batch.relisted || result.relisted, report: batch.report || report, ok: true };
      } catch (error) {
        emit({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      }
      if (--pendingRuns > 0) return;
      const waiting = held ?? [];
      held = null;
      const late = applyAll(waiting).length;
      const done = batch;
      batch = NO_RUNS;
      if (done.ok && (done.report || done.relisted)) emit({ type: 'caught-up', changes: done.changes + late, relisted: done.relisted });
    });
    return queue;
  }

  function onEvent(name: TaskEventName, payload: unknown, meta: unknown): void {
    const parsed = taskEventSchemas[name].safeParse(payload);
    if (!parsed.success) {
      emit({ type: 'error', error: new ContractDriftError(`event ${name}`, parsed.error.issues) });
      return;
    }
    // Servers without the change log send no meta: the feed after each connect covers those events.
    const given = taskEventMetaSchema.safeParse(meta);
    const cursor = given.success ? given.data.cursor : null;
    const data = parsed.data;
    const task = 'version' in data ? (data as Task) : null;
    const change: SyncChange = { type: name, taskId: data.id, task, cursor };
    if (held !== null) held.push(change);
    else applyAll([change]);
  }

  function open(): void {
    const current = openSocket!((): TasksHandshakeAuth => {
      const since = state.cursor;
      return since === null ? { token: client.token ?? '' } : { token: client.token ?? '', since };
    });
    socket = current;
    for (const name of EVENTS) current.on(name, (payload: unknown, meta: unknown) => onEvent(name, payload, meta));
    current.on(TASKS_RESYNC, () => void schedule(true, true));
    current.on('connect', () => {
      connected = true;
      emit({ type: 'connection', connected });
      // The first connect closes the gap since the list; a later one catches up and says by how much.
      void schedule(false, connectedBefore);
      connectedBefore = true;
    });
    current.on('disconnect', () => {
      connected = false;
      emit({ type: 'connection', connected });
    });
    current.on('connect_error', (error: Error) => {
      const message = error.message;
      emit({ type: 'error', error });
      if (message === SOCKET_UNAUTHORIZED || closed) return;
      if (message === SOCKET_INVALID_CURSOR) void schedule(true, true).then(() => !closed && current.connect());
      else if (!current.active) setTimeout(() => !closed && !current.active && current.connect(), RETRY_CONNECT_MS);
    });
  }

  const ready = list().then(() => {
    if (!closed) open();
  });
  ready.catch((error: unknown) => emit({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) }));

  return {
    ready,
    get tasks() {
      return state.tasks;
    },
    sorted: () => state.sorted(),
    get cursor() {
      return state.cursor;
    },
    get connected() {
      return connected;
    },
    get complete() {
      return complete;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      closed = true;
      socket?.disconnect();
    },
  };
}
