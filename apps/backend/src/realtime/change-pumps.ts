import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Context, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { TASKS_RESYNC } from '@tasks/schemas';
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

interface UserPump {
  readonly sockets: Set<TaskSocket>;
  running: boolean;
  /** A wake-up came during a run: run again once it ends. */
  again: boolean;
  /**
   * Trace contexts of this instance's writes whose change some socket still lacks, by seq, so each
   * emit joins its writer's trace. An entry goes when its change is read (emitted or not) or every
   * socket is past it, and all go with the pump: at most the user's changes not yet delivered here.
   */
  readonly traces: Map<number, Context>;
}

type UntypedEmitter = Pick<BroadcastOperator<Record<string, (...args: unknown[]) => void>, unknown>, 'emit'>;

/**
 * Live delivery from the change log. Each socket holds the seq of the last change it was sent
 * (`data.lastSeq`); per user and instance, one pump at a time reads the changes after the lowest of
 * them and emits each to the sockets that lack it, in seq (= commit) order, page after page until
 * caught up. A wake-up during a run makes it run again, so nothing is missed, sent twice or reordered.
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
      pump = { sockets: new Set(), running: false, again: false, traces: new Map() };
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

  /** A write of this instance committed change `seq`: pump now, and emit it inside the writer's trace. */
  committed(userId: string, seq: number, trace: Context): void {
    const pump = this.pumps.get(userId);
    if (!pump) return;
    if ([...pump.sockets].some((socket) => socket.data.lastSeq < seq)) pump.traces.set(seq, trace);
    this.wake(userId, seq);
  }

  /** The user has a new change (`seq` when known): pump unless every local socket has it already. */
  wake(userId: string, seq?: number): void {
    const pump = this.pumps.get(userId);
    if (!pump) return;
    if (seq !== undefined && [...pump.sockets].every((socket) => socket.data.lastSeq >= seq)) return;
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
      for (const seq of pump.traces.keys()) if (seq <= from) pump.traces.delete(seq);
      let page;
      try {
        page = await this.changes.changesAfter(user, from, PUMP_PAGE);
      } catch (error) {
        if (!(error instanceof ChangeCursorExpiredError || error instanceof InvalidChangeCursorError)) throw error;
        await this.resync(userId, targets.filter((socket) => socket.data.lastSeq === from));
        continue;
      }
      this.deliver(userId, pump, page.rows, targets);
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

  private deliver(userId: string, pump: UserPump, rows: ChangeRow[], targets: TaskSocket[]): void {
    for (const row of rows) {
      // Another instance's change (or a replay) is no part of whatever trace started this run.
      const trace = pump.traces.get(row.seq) ?? ROOT_CONTEXT;
      pump.traces.delete(row.seq);
      const to = targets.filter((socket) => socket.connected && socket.data.lastSeq < row.seq);
      if (to.length === 0) continue;
      const change = toChange(row, this.changes.cursorOf({ id: userId }, row.seq));
      const payload = change.task ?? { id: change.taskId };
      const meta = { cursor: change.cursor, at: change.at };
      context.with(trace, () =>
        traced(`socket.io emit ${change.type}`, { 'messaging.system': 'socket.io', 'messaging.destination.name': '/tasks' }, () =>
          // The cursor last as well: Socket.IO clients keep a trailing string as the offset they resume from.
          this.local(to.map((socket) => socket.id)).emit(change.type, payload, meta, change.cursor),
        ),
      );
      for (const socket of to) socket.data.lastSeq = row.seq;
      // Commit-to-emit lag of live changes only; a replay's age says nothing about delivery.
      if (to.some((socket) => row.seq > socket.data.liveFrom)) this.metrics.eventEmitted(change.type, row.at.getTime());
    }
  }

  /** This instance's sockets only: nothing goes through the adapter's cluster channel. */
  private local(socketIds: string | string[]): UntypedEmitter {
    if (!this.namespace) throw new Error('The change pumps are not attached to the namespace');
    return this.namespace.local.to(socketIds);
  }
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
