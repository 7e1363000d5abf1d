import { backoffMs, createContractClient, DEFAULT_RETRY, retryAfterMs, sendWithRetries, type RetryPolicy } from '@tasks/api-client';
import { sampleTask } from '@tasks/schemas/testing';
import { describe, expect, it } from 'vitest';

// Pure logic of the contract client's retries: a scripted fetch, no server.
const TASK = sampleTask();

function policy(waits: number[]): RetryPolicy {
  return { ...DEFAULT_RETRY, random: () => 0.5, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('contract client retries', () => {
  it('backs off exponentially with jitter, never below Retry-After', () => {
    const p = { ...DEFAULT_RETRY, random: () => 0.5 };
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, p, null))).toEqual([100, 200, 400, 800, 2500]);
    expect(backoffMs(1, p, 3000)).toBe(3000);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeNull();
  });

  it('retries network failures and 503s, then returns the answer; bounded attempts', async () => {
    const waits: number[] = [];
    const script: (() => Promise<Response>)[] = [
      () => Promise.reject(new TypeError('fetch failed')),
      () => Promise.resolve(json(503, { type: '/api/problems/timeout' }, { 'retry-after': '1' })),
      () => Promise.resolve(json(201, TASK)),
    ];
    let calls = 0;
    const response = await sendWithRetries(() => script[calls++]!(), policy(waits));
    expect(response.status).toBe(201);
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 1000]);

    let tries = 0;
    const gaveUp = await sendWithRetries(() => (tries++, Promise.resolve(json(503, {}))), policy([]));
    expect(gaveUp.status).toBe(503);
    expect(tries).toBe(DEFAULT_RETRY.attempts);
  });

  it('does not retry other answers or errors that are not transport failures', async () => {
    let tries = 0;
    const answer = await sendWithRetries(() => (tries++, Promise.resolve(json(409, { type: '/api/problems/invalid-transition' }))), policy([]));
    expect(answer.status).toBe(409);
    expect(tries).toBe(1);
    await expect(sendWithRetries(() => Promise.reject(new RangeError('bug')), policy([]))).rejects.toThrow('bug');
  });

  it('sends one fresh Idempotency-Key per write, the same on each retry, and waits out in-progress', async () => {
    const seen: (string | null)[] = [];
    let n = 0;
    const fetch = ((_url: string, init: RequestInit) => {
      seen.push(new Headers(init.headers).get('idempotency-key'));
      n++;
      if (n === 1) return Promise.reject(new TypeError('socket hang up'));
      if (n === 2) return Promise.resolve(json(409, { type: '/api/problems/idempotency-key-in-progress' }, { 'retry-after': '1' }));
      return Promise.resolve(json(201, TASK, { 'idempotent-replayed': 'true' }));
    }) as typeof globalThis.fetch;
    let keys = 0;
    const client = createContractClient({
      baseUrl: 'http://api.invalid',
      fetch,
      retry: { sleep: () => Promise.resolve() },
      idempotencyKey: () => `key-${++keys}`,
    });
    expect((await client.createTask({ title: 't' })).id).toBe(TASK.id);
    expect(seen).toEqual(['key-1', 'key-1', 'key-1']);
    n = 2;
    await client.createTask({ title: 't' });
    expect(seen.at(-1)).toBe('key-2');
  });
});
