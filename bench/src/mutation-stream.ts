// The steady stream of REST writes whose Socket.IO events the socket parts of the bench watch.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchUser } from './database.js';

export type MutationEvent = 'task:created' | 'task:updated';

/** A write the app answered with a 2xx: its event is expected on every socket of its owner. */
export interface SentMutation {
  sequence: number;
  event: MutationEvent;
  id: string;
  version: number;
  /** Index of the owner in the users given. */
  owner: number;
  sentAt: number;
  respondedAt: number;
}

export interface MutationStream {
  mutations: SentMutation[];
  /** Writes that got no 2xx (they expect no event). */
  failed: number;
}

/**
 * `ratePerSec` writes for `durationSec`, round-robin over `users`; each user's writes alternate
 * between a create and a title edit of one of its seeded tasks. Open loop: a write leaves on schedule
 * whether or not earlier ones have been answered, so a slow server is not offered less. Sequence
 * numbers start at `first` (a second stream carries on after the first); `now` is the clock of the
 * sentAt and respondedAt times, the one the event arrivals are measured with.
 */
export async function streamMutations(options: {
  url: string;
  users: readonly BenchUser[];
  ratePerSec: number;
  durationSec: number;
  first?: number;
  title: (sequence: number, owner: number) => string;
  now: () => number;
}): Promise<MutationStream> {
  const { users, now } = options;
  const first = options.first ?? 0;
  const mutations: SentMutation[] = [];
  let failed = 0;
  const mutate = async (sequence: number): Promise<void> => {
    const owner = sequence % users.length;
    const user = users[owner]!;
    const round = Math.floor(sequence / users.length);
    const create = round % 2 === 0 || user.taskIds.length === 0;
    const id = user.taskIds[round % user.taskIds.length];
    const sentAt = now();
    try {
      const response = await fetch(create ? `${options.url}/api/tasks` : `${options.url}/api/tasks/${id}`, {
        method: create ? 'POST' : 'PATCH',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: options.title(sequence, owner) }),
      });
      const body = (await response.json()) as { id: string; version: number };
      const respondedAt = now();
      if (!response.ok) {
        failed += 1;
        return;
      }
      mutations.push({ sequence, event: create ? 'task:created' : 'task:updated', id: body.id, version: body.version, owner, sentAt, respondedAt });
    } catch {
      failed += 1;
    }
  };

  const inFlight = new Set<Promise<void>>();
  const start = now();
  const total = Math.round(options.ratePerSec * options.durationSec);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - start) / 1000) * options.ratePerSec) + 1);
    while (sent < due) {
      const promise = mutate(first + sent);
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
      sent += 1;
    }
    await sleep(2);
  }
  await Promise.all(inFlight);
  return { mutations, failed };
}
