import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirInUseError, LOCK_FILE, type LockHolder } from '../../src/database/data-dir-lock.js';
import { call, registerAccount } from '../support/http-client.js';
import { BACKEND_DIR, ensureBuilt, runTool, spawnBackend, type BackendProcess } from './support/backend-process.js';

// The embedded database only: every process here gets its own DATA_DIR and no DATABASE_URL.
const JWT_SECRET = 'process-test-secret-long-enough-for-hs256-0123456789';

const lockHolder = (dir: string) => JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockHolder;

/** Name, size and mtime of every file under `dir`: what a process that opened the database would change. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(dir, full)] = `${statSync(full).size}@${statSync(full).mtimeMs}`;
    }
  };
  walk(dir);
  return files;
}

describe('one process per data directory', { timeout: 180_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(ensureBuilt, 180_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tasks-lock-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const server = async (dataDir: string) => {
    const backend = await spawnBackend({ DATA_DIR: dataDir, JWT_SECRET, LOG_LEVEL: 'info' });
    cleanups.push(async () => {
      backend.kill();
      await backend.exited;
    });
    return backend;
  };
  /** A node process that takes the lock through the built module and keeps it until killed. */
  const holder = async (dataDir: string): Promise<ChildProcess> => {
    const child = spawnChild(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(path.join(BACKEND_DIR, 'dist/database/data-dir-lock.js'))}); m.acquireDataDirLock(${JSON.stringify(dataDir)}); console.log('locked'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
    });
    return child;
  };

  describe('the lock file', () => {
    it('should refuse while a live process holds the lock and take it over once that process is killed', async () => {
      const dir = tempDir();
      const child = await holder(dir);

      const refusal = (() => {
        try {
          acquireDataDirLock(dir).release();
          return undefined;
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(DataDirInUseError);
      expect((refusal as Error).message).toContain(`The data directory ${dir} is in use by another process: pid ${child.pid}`);
      expect((refusal as Error).message).toContain('set DATABASE_URL to use PostgreSQL');

      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
      const takenOver: (number | undefined)[] = [];
      const lock = acquireDataDirLock(dir, (stale) => takenOver.push(stale?.pid));
      expect(takenOver).toEqual([child.pid]);
      expect(lockHolder(dir).pid).toBe(process.pid);
      lock.release();
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    });

    it('should take over a lock whose pid now belongs to another process and never steal one from another host', async () => {
      const dir = tempDir();
      await holder(dir);
      // The same pid, started at another time: the holder died and its pid was handed out again.
      const reused = { ...lockHolder(dir), startTime: '1' };
      writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(reused));
      acquireDataDirLock(dir).release();

      const remote = { ...reused, hostname: `not-${hostname()}`, pid: 999_999 };
      writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(remote));
      expect(() => acquireDataDirLock(dir)).toThrow(`on host not-${hostname()}`);
      expect(() => acquireDataDirLock(dir)).toThrow(`If that process is gone, delete ${path.join(dir, LOCK_FILE)}`);
      expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toEqual(remote);
    });

    it('should release the lock of a tool stopped with SIGINT or SIGTERM, which still dies of the signal', async () => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const dir = tempDir();
        const child = await holder(dir);
        const exit = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
        expect(lockHolder(dir).pid).toBe(child.pid);

        child.kill(signal);

        expect(await exit).toEqual({ code: null, sig: signal });
        expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
      }
    });

    it('should refuse a second open from the process that already holds the lock', () => {
      const dir = tempDir();
      const lock = acquireDataDirLock(dir);
      try {
        expect(() => acquireDataDirLock(dir)).toThrow(`pid ${process.pid}`);
      } finally {
        lock.release();
      }
    });
  });

  describe('servers and tools on one DATA_DIR', () => {
    const expectRefusal = (output: string, dir: string, first: BackendProcess) => {
      expect(output).toContain(`The data directory ${dir} is in use by another process: pid ${first.child.pid}`);
      expect(output).toContain('Stop that process first, or set DATABASE_URL to use PostgreSQL');
    };

    it('should make a second server exit 1 naming the directory and the holder, change nothing, and keep the first serving', async () => {
      const dir = tempDir();
      const first = await server(dir);
      await first.ready();
      const user = await registerAccount(first.url, 'first');
      expect((await call(first.url, 'POST', '/api/tasks', { token: user.token, body: { title: 'before' } })).status).toBe(201);
      const before = snapshot(dir);

      const second = await server(dir);

      expect(await second.exited).toEqual({ code: 1, signal: null });
      expectRefusal(second.output(), dir, first);
      expect(snapshot(dir)).toEqual(before);
      expect(lockHolder(dir).pid).toBe(first.child.pid);
      expect((await call(first.url, 'POST', '/api/tasks', { token: user.token, body: { title: 'after' } })).status).toBe(201);
      const list = await call(first.url, 'GET', '/api/tasks', { token: user.token });
      expect((list.body as { items: { title: string }[] }).items.map((t) => t.title).sort()).toEqual(['after', 'before']);
    });

    it('should refuse pnpm db:migrate and pnpm db:export on a directory in use, reading nothing', async () => {
      const dir = tempDir();
      const first = await server(dir);
      await first.ready();
      const before = snapshot(dir);

      const migrate = await runTool('migrate', [], { DATA_DIR: dir });
      const file = path.join(tempDir(), 'backup.sql');
      const exported = await runTool('export', [file], { DATA_DIR: dir });

      expect(migrate.code).toBe(1);
      expectRefusal(migrate.output, dir, first);
      expect(exported.code).toBe(1);
      expect(exported.output).toContain(`Cannot export ${dir}: it is in use by pid ${first.child.pid}`);
      expect(exported.output).toContain('stop the server, then run it again');
      expect(existsSync(file)).toBe(false);
      expect(snapshot(dir)).toEqual(before);
      expect((await fetch(`${first.url}/api/health/ready`)).status).toBe(200);
    });

    it('should start a new server after the first is killed with SIGKILL, with every acknowledged write', async () => {
      const dir = tempDir();
      const first = await server(dir);
      await first.ready();
      const user = await registerAccount(first.url, 'killed');
      const acknowledged: string[] = [];
      for (let i = 0; i < 10; i++) {
        const created = await call(first.url, 'POST', '/api/tasks', { token: user.token, body: { title: `acked ${i}` } });
        expect(created.status).toBe(201);
        acknowledged.push((created.body as { id: string }).id);
      }
      first.child.kill('SIGKILL');
      await first.exited;
      expect(lockHolder(dir).pid).toBe(first.child.pid);

      const next = await server(dir);
      await next.ready();

      expect(next.logs().some((l) => String(l.msg).includes(`left by pid ${first.child.pid}, which is gone`))).toBe(true);
      expect(lockHolder(dir).pid).toBe(next.child.pid);
      const list = await call(next.url, 'GET', '/api/tasks?limit=100', { token: user.token });
      expect(list.status).toBe(200);
      expect((list.body as { items: { id: string }[] }).items.map((t) => t.id).sort()).toEqual([...acknowledged].sort());
    });

    it('should release the lock on SIGTERM and on SIGINT so a new server starts at once', async () => {
      const dir = tempDir();
      const first = await server(dir);
      await first.ready();
      first.child.kill('SIGTERM');
      expect(await first.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);

      const next = await server(dir);
      await next.ready();

      expect(next.logs().some((l) => String(l.msg).includes('which is gone'))).toBe(false);
      expect(lockHolder(dir).pid).toBe(next.child.pid);
      next.child.kill('SIGINT');
      expect(await next.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    });
  });
});
