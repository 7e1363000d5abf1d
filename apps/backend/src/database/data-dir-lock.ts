import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * One process per embedded-database directory. PGlite has no lock of its own, and two processes
 * writing one data directory silently lose each other's commits.
 *
 * A lock file created atomically (written whole, then hard-linked into place: link() fails when it
 * exists) names its holder: pid, host, boot id and the kernel's start time of that pid. A holder
 * that is provably gone (other boot, no such pid, or the pid now belongs to a newer process) is
 * taken over; one that may be alive, or lives on another host, is never stolen. No heartbeat: a
 * paused or busy holder (GC, a long query, SIGSTOP) keeps its lock.
 */
export const LOCK_FILE = 'pglite.lock';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** /proc/sys/kernel/random/boot_id (Linux). */
  bootId?: string;
  /** Field 22 of /proc/<pid>/stat (Linux): tells a reused pid from the holder. */
  startTime?: string;
  command: string;
  since: string;
  /** Unique per acquisition, so a release never deletes another process's lock. */
  token: string;
}

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';

  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
    readonly lockFile: string,
  ) {
    const sameHost = holder.hostname === hostname();
    super(
      `The data directory ${dir} is in use by another process: pid ${holder.pid} ` +
        `(${holder.command}, since ${holder.since}${sameHost ? '' : `, on host ${holder.hostname}`}). ` +
        `The embedded database allows one process per data directory. Stop that process first, ` +
        `or set DATABASE_URL to use PostgreSQL when more than one process needs the data.` +
        (sameHost ? '' : ` If that process is gone, delete ${lockFile}.`),
    );
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** Release functions of the locks this process holds, by lock file. */
const held = new Map<string, () => void>();

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  return readText('/proc/sys/kernel/random/boot_id')?.trim();
}

function startTimeOf(pid: number): string | undefined {
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function describeSelf(): LockHolder {
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: bootId(),
    startTime: startTimeOf(process.pid),
    command: ['node', ...process.argv.slice(1, 2).map((arg) => path.relative(process.cwd(), arg) || arg)].join(' '),
    since: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
  };
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    return typeof value.pid === 'number' && typeof value.hostname === 'string' ? (value as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** False only when the holder is provably gone; any doubt counts as alive. */
function isAlive(holder: LockHolder, file: string): boolean {
  if (holder.hostname !== hostname()) return true;
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return false;
  // Our own pid: held by this process, or left by an earlier one that had the same pid (containers).
  if (holder.pid === process.pid) return held.has(file);
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = startTimeOf(holder.pid);
  return !(holder.startTime && start && holder.startTime !== start);
}

/**
 * Takes the lock on `dir` (created if missing) or throws DataDirInUseError at once. Released by
 * `release()`, on process exit, and on SIGINT/SIGTERM when nothing else handles them; a process
 * killed outright leaves a stale lock the next one takes over.
 */
export function acquireDataDirLock(dir: string, onTakeOver?: (stale: LockHolder | undefined) => void): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const self = describeSelf();
  const content = `${JSON.stringify(self, null, 2)}\n`;
  const draft = `${file}.${process.pid}.${self.token}`;
  writeFileSync(draft, content, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file);
        return hold(file, self.token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const raw = readText(file);
      if (raw === undefined) continue; // released meanwhile
      const holder = parseHolder(raw);
      if (holder && isAlive(holder, file)) throw new DataDirInUseError(dir, holder, file);
      // Stale: move it aside, and make sure what moved is what was judged (another process may
      // have taken it over in between; then its lock goes back and the next round sees it alive).
      const aside = `${file}.stale.${self.token}`;
      try {
        renameSync(file, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      if (readText(aside) !== raw) {
        try {
          linkSync(aside, file);
        } catch {
          // Someone created a new lock meanwhile: the next round judges that one.
        }
      } else {
        onTakeOver?.(holder);
      }
      rmSync(aside, { force: true });
    }
    throw new Error(`Could not take the lock ${file}: it kept changing hands; try again.`);
  } finally {
    rmSync(draft, { force: true });
  }
}

const releaseAll = () => {
  for (const release of [...held.values()]) release();
};
// Only when this is the sole listener, i.e. the process would die of the signal by default
// (the command-line tools); a server's graceful shutdown releases through `release()` itself.
const onSignal = (signal: NodeJS.Signals) => {
  if (process.listenerCount(signal) > 1) return;
  releaseAll();
  process.kill(process.pid, signal);
};

function hold(file: string, token: string): DataDirLock {
  const release = () => {
    if (held.get(file) !== release) return;
    held.delete(file);
    if (held.size === 0) {
      process.off('exit', releaseAll);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (parseHolder(readText(file) ?? '')?.token === token) rmSync(file, { force: true });
  };
  if (held.size === 0) {
    process.on('exit', releaseAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  held.set(file, release);
  return { file, release };
}
