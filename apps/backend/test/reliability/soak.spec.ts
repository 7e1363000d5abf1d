import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BACKEND_DIR, buildBackend } from '../support/processes.js';

const run = promisify(execFile);
// The CI version of `pnpm soak` (15 minutes there); SOAK_SECONDS overrides.
const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);

describe('soak', () => {
  it('should serve mixed load with socket churn without a failed request, a leaked socket or an unclean exit', async () => {
    await buildBackend();
    const { stdout } = await run(process.execPath, [path.join(BACKEND_DIR, 'scripts/soak.mjs')], {
      cwd: BACKEND_DIR,
      env: { ...process.env, SOAK_SECONDS: String(SECONDS), SOAK_WORKERS: '3', SOAK_SOCKETS: '15' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`soak failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const line = stdout.split('\n').find((l) => l.startsWith('[soak] summary '));
    const summary = JSON.parse(line!.slice('[soak] summary '.length)) as {
      requests: number;
      failures: number;
      socketsOpened: number;
      events: number;
      serverExit: { code: number };
    };
    console.info(stdout.split('\n').filter((l) => l.startsWith('[soak]')).join('\n'));
    expect(summary.failures).toBe(0);
    expect(summary.requests).toBeGreaterThan(100);
    expect(summary.socketsOpened).toBeGreaterThan(10);
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.serverExit.code).toBe(0);
  }, (SECONDS + 180) * 1000);
});
