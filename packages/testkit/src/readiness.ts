import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` every 100 ms until it resolves true (a rejection counts as "not yet"); throws after
 * `timeoutMs`, or as soon as a check fails and `abort` returns a reason (e.g. the process under test exited).
 */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, abort?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const reason = abort?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** True when GET `url` answers `status` (the body is read so the connection is released). */
export async function answers(url: string, status = 200, timeoutMs = 2_000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status === status;
}

/** Waits until the backend at `baseUrl` answers 200 on /api/health/ready (or /live). */
export function waitUntilReady(
  baseUrl: string,
  options: { probe?: 'ready' | 'live'; timeoutMs?: number; abort?: () => string | undefined } = {},
): Promise<void> {
  const probe = `/api/health/${options.probe ?? 'ready'}`;
  return waitFor(`backend at ${baseUrl}`, () => answers(`${baseUrl}${probe}`), options.timeoutMs ?? 60_000, options.abort);
}
