// What the `scale` part and its socket workers (child processes) tell each other over IPC.

/** One client socket: its index among all the part's sockets, its user's index and token. */
export interface SocketSpec {
  index: number;
  user: number;
  token: string;
}

export interface StartMessage {
  type: 'start';
  url: string;
  /** All the part's sockets (the workers' together): arrival keys are `sequence * total + index`. */
  total: number;
  sockets: SocketSpec[];
  /** This worker's share of the connect rate. */
  connectPerSec: number;
  /** Handshakes this worker has in flight at most. */
  maxPending: number;
}

export type ToWorker = StartMessage | { type: 'finish' };

export interface ConnectedMessage {
  type: 'connected';
  /** Indexes of the sockets that could not connect (they expect no events). */
  failed: number[];
  firstError: string | undefined;
}

/** Numbers per event in ResultMessage.arrivals, and the codes of its event name. */
export const ARRIVAL_FIELDS = 5;
export const CREATED = 0;
export const UPDATED = 1;

export interface ResultMessage {
  type: 'result';
  /**
   * ARRIVAL_FIELDS numbers per event received on its owner's socket, first time only: socket index,
   * mutation sequence, arrival time (epoch ms, performance.timeOrigin + performance.now()), the
   * change's `meta.at` (epoch ms, NaN if absent), CREATED or UPDATED.
   */
  arrivals: Float64Array;
  /** Events for another user's task (by the title's owner). */
  misdelivered: number;
  /** An event a socket had received already. */
  duplicated: number;
  /** Deletes, resyncs and events whose title names no mutation of the part. */
  unexpected: number;
  /** Sockets the server dropped before the end. */
  disconnected: number;
}

export type FromWorker = ConnectedMessage | ResultMessage;

/** A mutation's title: its sequence and its owner's index, so a worker can check an event on its own. */
export const scaleTitle = (sequence: number, owner: number): string => `scale ${sequence} u${owner}`;
export const SCALE_TITLE = /^scale (\d+) u(\d+)$/;
