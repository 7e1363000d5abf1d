import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { type Database, openDatabase } from '../../src/database/database.js';
import type { SqlExecutor } from '../../src/database/direct-sql.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { listPageStatement } from '../../src/tasks/task-list.queries.js';
import { NAMED_STATEMENTS_LIMIT } from '../../src/database/query-builder.js';
import { lockOwned, selectOwned, updateAtVersion } from '../../src/tasks/task-statements.js';
import { createPostgresDatabase, usePostgresServer } from '../support/databases.js';

const quiet = { log: () => undefined, warn: () => undefined };

interface PreparedRow {
  name: string;
  statement: string;
}

/** The named statements of the connection `sql` runs on (one connection: a pool of one, or a transaction). */
const preparedOn = (sql: SqlExecutor) =>
  sql.query<PreparedRow>(Prisma.sql`SELECT name, statement FROM pg_prepared_statements WHERE name <> '' ORDER BY name`);

describe('DirectSql named prepared statements on PostgreSQL', () => {
  const serverUrl = usePostgresServer();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A database with a pool of ONE connection, so every statement shows in that session's pg_prepared_statements. */
  async function open(prepared: 'true' | 'false'): Promise<{ database: Database; userId: string; taskId: string }> {
    const throwaway = await createPostgresDatabase('tasks_test', serverUrl());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-test-'));
    cleanups.push(async () => {
      await throwaway.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
      DATABASE_URL: throwaway.url,
      DATABASE_POOL_SIZE: '1',
      DATABASE_PREPARED_STATEMENTS: prepared,
    });
    const database = await openDatabase(config, quiet);
    cleanups.push(() => database.close());
    const user = await database.prisma.user.create({ data: { email: 'prepared@example.com', passwordHash: 'x' } });
    const task = await database.prisma.task.create({ data: { userId: user.id, title: 'named' } });
    return { database, userId: user.id, taskId: task.id };
  }

  it('should parse a prepared statement once per connection, under its own name, and give the same rows each time', async () => {
    const { database, userId, taskId } = await open('true');
    // Its first uses at once, queued on the one connection: one Parse, and none refused as a duplicate.
    const firstUses = await Promise.all(Array.from({ length: 8 }, () => database.sql.query(selectOwned(userId, taskId))));
    const first = firstUses[0] ?? [];
    const second = await database.sql.query(selectOwned(userId, taskId));
    expect(first).toHaveLength(1);
    for (const rows of firstUses) expect(rows).toEqual(first);
    expect(first[0]).toMatchObject({ id: taskId, title: 'named' });
    expect(second).toEqual(first);

    const named = (await preparedOn(database.sql)).filter((row) => row.statement === selectOwned(userId, taskId).sql);
    expect(named).toHaveLength(1);
    expect(named[0]?.name).toMatch(/^tasks_\d+$/);
    // Another user's id binds into the same statement and finds nothing.
    expect(await database.sql.query(selectOwned('00000000-0000-4000-8000-000000000000', taskId))).toEqual([]);
    expect((await preparedOn(database.sql)).filter((row) => row.name === named[0]?.name)).toHaveLength(1);
  });

  it('should name statements inside transactions too, and a failed bind should leave the statement usable', async () => {
    const { database, userId, taskId } = await open('true');
    await expect(database.sql.transaction((tx) => tx.query(lockOwned(userId, 'not-a-uuid')))).rejects.toThrow(/uuid/);
    const inTransaction = await database.sql.transaction(async (tx) => {
      const rows = await tx.query(lockOwned(userId, taskId));
      return { rows, prepared: await preparedOn(tx) };
    });
    expect(inTransaction.rows).toHaveLength(1);
    expect(inTransaction.prepared.map((row) => row.statement)).toContain(lockOwned(userId, taskId).sql);
  });

  it('should give each list shape its own name and bind each request its own values', async () => {
    const { database, userId } = await open('true');
    const base = { sort: '-createdAt', limit: 20, offset: 0 } as const;
    const shapes = [base, { ...base, status: ['PENDING' as const] }, { ...base, q: 'named' }, { ...base, q: 'zzz' }];
    const totals = [];
    for (const list of shapes) totals.push((await database.sql.query(listPageStatement(userId, list)))[0]?.total ?? 0);
    expect(totals).toEqual([1, 1, 1, 0]);
    const names = (await preparedOn(database.sql)).filter((row) => /from "tasks"/i.test(row.statement));
    // Three shapes: the two searches share one statement.
    expect(new Set(names.map((row) => row.name)).size).toBe(3);
  });

  it('should name at most NAMED_STATEMENTS_LIMIT statements and run the shapes past it unnamed', async () => {
    const { database, userId, taskId } = await open('true');
    // Every subset of these columns is an UPDATE shape of its own: 255 shapes, one `prepare` each.
    const columns = ['title', 'description', 'priority', 'status', 'started_at', 'completed_at', 'failed_at', 'error_message'] as const;
    const values = { title: 'shape', description: 'd', priority: 'HIGH', status: 'PENDING' };
    for (let mask = 1; mask < 1 << columns.length; mask++) {
      const set = Object.fromEntries(columns.filter((_, i) => mask & (1 << i)).map((column) => [column, values[column as keyof typeof values] ?? null]));
      const rows = await database.sql.query(updateAtVersion(userId, taskId, undefined, set, new Date()));
      expect(rows.map((row) => row.id)).toEqual([taskId]);
    }
    const named = await preparedOn(database.sql);
    expect(named.length).toBeGreaterThan(NAMED_STATEMENTS_LIMIT / 2);
    expect(named.length).toBeLessThanOrEqual(NAMED_STATEMENTS_LIMIT);
    expect(named.every((row) => /^tasks_\d+$/.test(row.name))).toBe(true);
  });

  it('should run every statement unnamed when DATABASE_PREPARED_STATEMENTS is false', async () => {
    const { database, userId, taskId } = await open('false');
    expect(await database.sql.query(selectOwned(userId, taskId))).toHaveLength(1);
    await database.sql.transaction((tx) => tx.query(lockOwned(userId, taskId)));
    expect(await preparedOn(database.sql)).toEqual([]);
  });
});
