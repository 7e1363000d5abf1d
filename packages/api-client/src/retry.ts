/** How the client retries a write that may not have reached the server, or was answered 503. */
export interface RetryPolicy {
  /** Tries in all, the first included (1 = never retry). */
  attempts: number;
  /** Upper bound of the first wait; it doubles per retry up to `maxDelayMs` (full jitter below it). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this gives up instead of waiting. */
  maxRetryAfterMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const IN_PROGRESS = '/api/problems/idempotency-key-in-progress';

/** Seconds of a Retry-After header (delta-seconds or an HTTP date), in ms; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait before retry number `retry` (1, 2 …): exponential backoff with full jitter, at least Retry-After. */
export function backoffMs(retry: number, policy: RetryPolicy, retryAfter: number | null): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = Math.floor(policy.random() * ceiling);
  return retryAfter === null ? jittered : Math.max(jittered, retryAfter);
}

/** A 503, or (after a try whose answer was lost) the 409 saying that very try is still running. */
async function retryable(response: Response, retried: boolean): Promise<boolean> {
  if (response.status === 503) return true;
  if (response.status !== 409 || !retried) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { type?: unknown } | null;
  return body?.type === IN_PROGRESS;
}

/**
 * Sends a write (carrying one Idempotency-Key for all its tries) until it gets an answer that is not
 * a 503: a network failure or a timeout may have lost an answer the server did give, and the same key
 * makes the server replay it instead of applying the write again.
 */
export async function sendWithRetries(send: () => Promise<Response>, policy: RetryPolicy = DEFAULT_RETRY): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= policy.attempts;
    let wait: number;
    try {
      const response = await send();
      if (last || !(await retryable(response, attempt > 1))) return response;
      const after = retryAfterMs(response.headers.get('retry-after'));
      if (after !== null && after > policy.maxRetryAfterMs) return response;
      wait = backoffMs(attempt, policy, after);
      await response.body?.cancel();
    } catch (error) {
      if (last || !isTransportFailure(error)) throw error;
      wait = backoffMs(attempt, policy, null);
    }
    await policy.sleep(wait);
  }
}

/** fetch's own failures: no connection, a reset, or the request's time limit (not a bug in the caller). */
function isTransportFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'TypeError' || error.name === 'TimeoutError' || error.name === 'AbortError';
}
