import { describe, expect, it } from 'vitest';
import { BoundedConcurrency } from './bounded-concurrency.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('BoundedConcurrency', () => {
  it('should run at most the limit at once, queue up to the queue limit and refuse beyond', async () => {
    const slots = new BoundedConcurrency(2, 1);
    const gates = [gate(), gate(), gate()];
    let running = 0;
    let peak = 0;
    const task = (g: { promise: Promise<void> }) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await g.promise;
      running -= 1;
      return 'done';
    };
    const first = slots.run(task(gates[0]!));
    const second = slots.run(task(gates[1]!));
    expect(slots.saturated).toBe(false);
    const queued = slots.run(task(gates[2]!));
    expect(slots.saturated).toBe(true);
    expect(slots.run(() => Promise.resolve('refused'))).toBeUndefined();
    for (const g of gates) g.open();
    expect(await Promise.all([first, second, queued])).toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(slots.saturated).toBe(false);
    expect(await slots.run(() => Promise.resolve('again'))).toBe('again');
  });

  it('should free the slot when a task fails', async () => {
    const slots = new BoundedConcurrency(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slots.run(() => Promise.resolve(1))).toBe(1);
  });
});
