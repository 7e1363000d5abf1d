import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a lock file holds: its holder's pid, the kernel's start time of that pid, and a token of this acquisition. */
interface Holder {
  pid: number;
  startTime?: string;
  token: string;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (Linux), counted after the command name, which may hold spaces. */
function startTimeOf(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function parseHolder(raw: string): Holder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Holder>;
    return typeof value.pid === 'number' ? (value as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** False only when the holder is provably gone: no such pid, or the pid now belongs to a newer process. */
function isAlive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = startTimeOf(holder.pid);
  return !(holder.startTime && start && holder.startTime !== start);
}

/** Moves a stale lock aside; puts it back when what moved is not what was judged (someone took it over meanwhile). */
function takeOver(file: string, judged: string, token: string): void {
  const aside = `${file}.stale.${token}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (readText(aside) !== judged) {
    try {
      linkSync(aside, file);
    } catch {
      // A new lock was created meanwhile: the next round judges that one.
    }
  }
  rmSync(aside, { force: true });
}

/**
 * Runs `fn` holding the lock file `file`, for processes of one machine (e.g. test files building the
 * backend in parallel). The data-dir lock's rule: the file is created atomically (written whole, then
 * hard-linked into place) and names its holder; a live holder is waited for, up to `timeoutMs`; one that
 * is provably gone (killed mid-run, its file left behind) is taken over at once.
 */
export async function withLockFile<T>(file: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const self: Holder = { pid: process.pid, startTime: startTimeOf(process.pid), token: randomBytes(12).toString('hex') };
  const draft = `${file}.${self.token}`;
  writeFileSync(draft, JSON.stringify(self));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        linkSync(draft, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const raw = readText(file);
      const holder = raw === undefined ? undefined : parseHolder(raw);
      if (raw !== undefined && !(holder && isAlive(holder))) {
        takeOver(file, raw, self.token);
        continue;
      }
      if (raw === undefined && !existsSync(file)) continue; // released meanwhile
      if (Date.now() >= deadline) throw new Error(`lock ${file}: held by ${holder ? `pid ${holder.pid}` : 'an unreadable holder'} for more than ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    rmSync(draft, { force: true });
  }
  try {
    return await fn();
  } finally {
    if (parseHolder(readText(file) ?? '')?.token === self.token) rmSync(file, { force: true });
  }
}
