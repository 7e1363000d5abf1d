import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Context, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { type Change, TASKS_RESYNC, type Task } from '@tasks/schemas';
import type { BroadcastOperator } from 'socket.io';
import { toChange } from '../changes/change.mapper.js';
import type { ChangeRow } from '../changes/changes.repository.js';
import { ChangeCursorExpiredError, InvalidChangeCursorError } from '../changes/changes.errors.js';
import { ChangesService } from '../changes/changes.service.js';
import { Metrics } from '../metrics/metrics.js';
import { traced } from '../tracing/tracing.js';
import type { TaskSocket, TasksNamespace } from './task-socket.js';

/** Changes read per query; each event is at most 64 KiB, so a page stays a few MB at worst. */
export const PUMP_PAGE = 200;
/** Safety net behind the wake-ups: how often the heads of the users with local sockets are checked. */
const SWEEP_MS = 5_000;
/** Longest wait for a socket's transport to take the previous page before the next is read. */
const DRAIN_WAIT_MS = 5_000;

/** A change this instance committed, as its event carries it: emitted without reading the log. */
export interface CommittedChange {
  seq: number;
  type: Change['type'];
  at: Date;
  payload: Task | { id: string };
}

/** A change as a socket gets it. */
interface Emission extends CommittedChange {
  cursor: string;
}

interface UserPump {
  readonly sockets: Set<TaskSocket>;
  running: boolean;
  /** A wake-up came during a run: run again once it ends. */
  again: boolean;
  /** The highest seq a wake-up or read named: the log is read only for sockets behind it. */
  head: number;
  /** A wake-up named no seq (a socket came, notifications were missed): read the log to know. */
  unsure: boolean;
  /**
   * This instance's commits that some socket still lacks, by seq, so that each is emitted from
   * memory once its predecessor is (a gap is read from the log) and joins its writer's trace. An
   * entry goes when its change is delivered or every socket is past it; at most PUMP_PAGE are kept.
   */
  readonly committed: Map<number, { change: CommittedChange; trace: Context }>;
}

type UntypedEmitter = Pick<BroadcastOperator<Record<string, (...args: unknown[]) => void>, unknown>, 'emit'>;

/**
 * Live delivery from the change log. Each socket holds the seq of the last change it was sent
 * (`data.lastSeq`); per user and instance, one pump at a time takes the changes after the lowest of
 * them and emits each to the sockets that lack it, in seq (= commit) order, page after page until
 * caught up. The next change comes from memory when this instance committed it, else from the log.
 * A wake-up during a run makes it run again, so nothing is missed, sent twice or reordered.
 * Wake-ups: this instance's commits (domain events), PostgreSQL notifications of every instance's
 * commits, and a periodic sweep in case one was lost.
 */
@Injectable()
export class ChangePumps implements OnApplicationShutdown {
  private readonly logger = new Logger(ChangePumps.name);
  private readonly pumps = new Map<string, UserPump>();
  private namespace: TasksNamespace | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly changes: ChangesService,
    private readonly metrics: Metrics,
  ) {}

  attach(namespace: TasksNamespace): void {
    this.namespace = namespace;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** A connected socket starts receiving the changes after its `lastSeq`. */
  add(socket: TaskSocket): void {
    const { userId } = socket.data;
    let pump = this.pumps.get(userId);
    if (!pump) {
      pump = { sockets: new Set(), running: false, again: false, head: 0, unsure: true, committed: new Map() };
      this.pumps.set(userId, pump);
    }
    pump.sockets.add(socket);
    this.wake(userId);
  }

  remove(socket: TaskSocket): void {
    const pump = this.pumps.get(socket.data.userId);
    if (!pump) return;
    pump.sockets.delete(socket);
    if (pump.sockets.size === 0 && !pump.running) this.pumps.delete(socket.data.userId);
  }

  /** A write of this instance committed `change`: pump now, and emit it inside the writer's trace. */
  committed(userId: string, change: CommittedChange, trace: Context): void {
    const pump = this.pumps.get(userId);
    if (!pump) return;
    if (pump.committed.size < PUMP_PAGE && [...pump.sockets].some((socket) => socket.data.lastSeq < change.seq)) {
      pump.committed.set(change.seq, { change, trace });
    }
    this.wake(userId, change.seq);
  }

  /** The user has a new change (`seq` when known): pump unless every local socket has it already. */
  wake(userId: string, seq?: number): void {
    const pump = this.pumps.get(userId);
    if (!pump) return;
    if (seq === undefined) pump.unsure = true;
    else {
      pump.head = Math.max(pump.head, seq);
      if ([...pump.sockets].every((socket) => socket.data.lastSeq >= seq)) return;
    }
    if (pump.running) {
      pump.again = true;
      return;
    }
    pump.running = true;
    void this.run(userId, pump);
  }

  /** Every local user: after notifications may have been missed (the listener reconnected). */
  wakeAll(): void {
    for (const userId of this.pumps.keys()) this.wake(userId);
  }

  /** Users with local sockets (tests, gauges). */
  get users(): number {
    return this.pumps.size;
  }

  /** One query for the heads of the users with local sockets; pumps those behind. */
  async sweep(): Promise<void> {
    if (this.pumps.size === 0) return;
    try {
      const heads = await this.changes.heads([...this.pumps.keys()]);
      for (const [userId, head] of heads) this.wake(userId, head);
    } catch (error) {
      this.logger.warn(`Change sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async run(userId: string, pump: UserPump): Promise<void> {
    try {
      do {
        pump.again = false;
        await this.drain(userId, pump);
      } while (pump.again);
    } catch (error) {
      // The sockets keep their lastSeq: the next wake-up (at worst the sweep) resumes from there.
      this.logger.warn(`Live delivery paused until the next wake-up: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      pump.running = false;
      if (pump.sockets.size === 0 && this.pumps.get(userId) === pump) this.pumps.delete(userId);
    }
  }

  private async drain(userId: string, pump: UserPump): Promise<void> {
    const user = { id: userId };
    for (;;) {
      // Sockets added during a read are served by the next one (their lastSeq may be below `from`).
      const targets = [...pump.sockets].filter((socket) => socket.connected);
      if (targets.length === 0) return;
      const from = Math.min(...targets.map((socket) => socket.data.lastSeq));
      for (const seq of pump.committed.keys()) if (seq <= from) pump.committed.delete(seq);
      const next = pump.committed.get(from + 1);
      if (next && !pump.unsure) {
        pump.committed.delete(next.change.seq);
        const { change, trace } = next;
        this.deliver({ ...change, cursor: this.changes.cursorOf(user, change.seq) }, targets, trace);
        continue;
      }
      if (!pump.unsure && from >= pump.head) return;
      pump.unsure = false;
      let page;
      try {
        page = await this.changes.changesAfter(user, from, PUMP_PAGE);
      } catch (error) {
        if (!(error instanceof ChangeCursorExpiredError || error instanceof InvalidChangeCursorError)) throw error;
        await this.resync(userId, targets.filter((socket) => socket.data.lastSeq === from));
        continue;
      }
      for (const row of page.rows) {
        pump.head = Math.max(pump.head, row.seq);
        // One of this instance's commits joins its writer's trace; another's (or a replay) joins none.
        const trace = pump.committed.get(row.seq)?.trace ?? ROOT_CONTEXT;
        pump.committed.delete(row.seq);
        this.deliver(emissionOf(row, this.changes.cursorOf(user, row.seq)), targets, trace);
      }
      if (!page.hasMore) return;
      await Promise.all(targets.map(writable));
    }
  }

  /** Sockets whose position is no longer in the feed: `tasks:resync`, then live from the head. */
  private async resync(userId: string, sockets: TaskSocket[]): Promise<void> {
    const head = (await this.changes.heads([userId])).get(userId) ?? 0;
    for (const socket of sockets) {
      this.local(socket.id).emit(TASKS_RESYNC, { reason: 'cursor-expired' });
      socket.data.lastSeq = head;
      socket.data.liveFrom = head;
    }
  }

  /** Emits the change to the targets that lack it. */
  private deliver(change: Emission, targets: TaskSocket[], trace: Context): void {
    const to = targets.filter((socket) => socket.connected && socket.data.lastSeq < change.seq);
    if (to.length === 0) return;
    const meta = { cursor: change.cursor, at: change.at.toISOString() };
    context.with(trace, () =>
      traced(`socket.io emit ${change.type}`, { 'messaging.system': 'socket.io', 'messaging.destination.name': '/tasks' }, () =>
        // The cursor last as well: Socket.IO clients keep a trailing string as the offset they resume from.
        this.local(to.map((socket) => socket.id)).emit(change.type, change.payload, meta, change.cursor),
      ),
    );
    for (const socket of to) socket.data.lastSeq = change.seq;
    // Commit-to-emit lag of live changes only; a replay's age says nothing about delivery.
    if (to.some((socket) => change.seq > socket.data.liveFrom)) this.metrics.eventEmitted(change.type, change.at.getTime());
  }

  /** This instance's sockets only: nothing goes through the adapter's cluster channel. */
  private local(socketIds: string | string[]): UntypedEmitter {
    if (!this.namespace) throw new Error('The change pumps are not attached to the namespace');
    return this.namespace.local.to(socketIds);
  }
}

/** A change read from the log, as its socket event carries it (the task in the contract's key order). */
function emissionOf(row: ChangeRow, cursor: string): Emission {
  const change = toChange(row, cursor);
  return { seq: row.seq, type: change.type, at: row.at, payload: change.task ?? { id: change.taskId }, cursor };
}

/** Resolves once the socket's transport has taken what was queued (or it closed, or after a bound). */
function writable(socket: TaskSocket): Promise<void> {
  const conn = socket.conn;
  // Engine.IO's queue of packets its transport has not taken yet (public in JS, private in its types).
  const queued = (conn as unknown as { writeBuffer: unknown[] }).writeBuffer;
  if (queued.length === 0 || conn.readyState !== 'open') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      conn.off('drain', done);
      conn.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, DRAIN_WAIT_MS);
    conn.on('drain', done);
    conn.on('close', done);
  });
}
