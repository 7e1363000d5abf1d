import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgDump } from '@electric-sql/pglite-tools/pg_dump';
import { acquireDataDirLock, DataDirInUseError } from './data-dir-lock.js';

export class ExportError extends Error {
  override readonly name = 'ExportError';
}

/** `tasks-2026-11-30T12-00-00Z.sql`: sorts by date and never collides with an earlier export. */
export function defaultExportName(now = new Date()): string {
  return `tasks-${now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.sql`;
}

/**
 * Writes the embedded database under `dataDir` to `file` as a plain SQL dump (PGlite's own
 * pg_dump), schema, data and `_prisma_migrations` alike. Holds the data-directory lock the
 * whole time, so it never reads a directory a running server is writing; refuses to overwrite.
 */
export async function exportEmbedded(dataDir: string, file: string): Promise<{ bytes: number }> {
  const pgdata = path.join(dataDir, 'pgdata');
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    throw new ExportError(`No embedded database in ${pgdata}: nothing to export (is DATA_DIR right?).`);
  }
  if (existsSync(file)) throw new ExportError(`${file} already exists; name another file or move that one away.`);
  let lock;
  try {
    lock = acquireDataDirLock(dataDir);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    throw new ExportError(
      `Cannot export ${dataDir}: it is in use by pid ${error.holder.pid} (${error.holder.command}). ` +
        `pnpm db:export never reads a data directory another process is writing: stop the server, then run it again.`,
    );
  }
  try {
    const pglite = await PGlite.create(pgdata);
    let dump: string;
    try {
      // No owners or grants: the importing PostgreSQL role owns what it creates.
      const out = await pgDump({ pg: pglite, args: ['--no-owner', '--no-privileges'] });
      dump = await out.text();
    } finally {
      await pglite.close();
    }
    // Written whole under a private name, then linked into place: never a half-written dump,
    // and never over a file that appeared meanwhile.
    const draft = `${file}.${randomBytes(4).toString('hex')}.partial`;
    writeFileSync(draft, dump, { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ExportError(`${file} already exists; nothing written.`);
      throw error;
    } finally {
      rmSync(draft, { force: true });
    }
    return { bytes: Buffer.byteLength(dump) };
  } finally {
    lock.release();
  }
}
