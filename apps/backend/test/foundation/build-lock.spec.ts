import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withLockFile } from '@tasks/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The lock ensureBuilt builds under: real processes hold it, real pids are judged alive or gone.
const exitOf = (child: ChildProcess) => new Promise<void>((resolve) => child.once('exit', () => resolve()));

describe('build lock (ensureBuilt)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tasks-build-lock-'));
    file = path.join(dir, 'build.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should take over at once a lock whose holder is gone (killed mid-build)', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await exitOf(gone);
    writeFileSync(file, JSON.stringify({ pid: gone.pid, token: 'left-behind' }));

    // No time to wait at all: only a takeover lets it run.
    await expect(withLockFile(file, async () => 'built', 0)).resolves.toBe('built');
    expect(existsSync(file)).toBe(false);
  });

  it('should wait for a live holder, and take over once it is gone', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      writeFileSync(file, JSON.stringify({ pid: holder.pid, token: 'live' }));
      let ran = false;
      await expect(
        withLockFile(
          file,
          async () => {
            ran = true;
          },
          300,
        ),
      ).rejects.toThrow(`held by pid ${holder.pid}`);
      expect(ran).toBe(false);
    } finally {
      holder.kill('SIGKILL');
      await exitOf(holder);
    }
    await expect(withLockFile(file, async () => 'built', 0)).resolves.toBe('built');
  });

  it('should make a second builder wait while the first one builds', async () => {
    let release!: () => void;
    const building = new Promise<void>((resolve) => (release = resolve));
    const first = withLockFile(file, () => building);
    await expect(withLockFile(file, async () => 'second', 300)).rejects.toThrow(`held by pid ${process.pid}`);
    release();
    await first;
    await expect(withLockFile(file, async () => 'second', 0)).resolves.toBe('second');
  });
});
