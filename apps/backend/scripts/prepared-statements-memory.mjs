// What named prepared statements cost PostgreSQL in memory at worst: one connection runs every list
// shape (and every UPDATE shape) several times, named and then unnamed, and reports that backend's
// memory (pg_backend_memory_contexts) after each.
// Usage (after `pnpm build`): DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node scripts/prepared-statements-memory.mjs
// A throwaway database on that server, opened (and migrated) the way the app opens it, then dropped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TASK_PRIORITIES, TASK_SORTS, TASK_STATUSES } from '@tasks/schemas';
import { createPostgresDatabase } from '@tasks/testkit';
import { loadConfig } from '../dist/config/app-config.js';
import { openDatabase } from '../dist/database/database.js';
import { Prisma } from '../dist/generated/prisma/client.js';
import { listPageStatement } from '../dist/tasks/task-list.queries.js';
import { updateAtVersion } from '../dist/tasks/task-statements.js';

const server = process.env.DATABASE_URL;
if (!server) throw new Error('Set DATABASE_URL to a PostgreSQL server');
const RUNS = 6; // past PostgreSQL's five custom plans, so a generic plan is cached too
const UPDATE_FIELDS = ['title', 'description', 'priority', 'status', 'started_at', 'completed_at', 'failed_at', 'error_message'];
const VALUES = { title: 't', description: null, priority: 'LOW', status: 'PENDING', error_message: null };
const quiet = { log: () => undefined, warn: () => undefined };

/** Every list shape and every UPDATE shape, as statements of `userId`'s task `taskId`. */
function everyShape(userId, taskId) {
  const statements = [];
  for (const sort of TASK_SORTS) {
    for (let statuses = -1; statuses <= TASK_STATUSES.length; statuses++) {
      for (let priorities = -1; priorities <= TASK_PRIORITIES.length; priorities++) {
        for (const q of [undefined, 'ps']) {
          if (statuses === 0 || priorities === 0) continue; // the schema refuses an empty filter
          const list = { sort, limit: 20, offset: 0, q };
          if (statuses > 0) list.status = TASK_STATUSES.slice(0, statuses);
          if (priorities > 0) list.priority = TASK_PRIORITIES.slice(0, priorities);
          statements.push(() => listPageStatement(userId, list));
        }
      }
    }
  }
  for (let mask = 1; mask < 1 << UPDATE_FIELDS.length; mask++) {
    const set = Object.fromEntries(UPDATE_FIELDS.filter((_, i) => mask & (1 << i)).map((field) => [field, VALUES[field] ?? null]));
    statements.push(() => updateAtVersion(userId, taskId, undefined, set, new Date()));
  }
  return statements;
}

const throwaway = await createPostgresDatabase(server, 'tasks_ps_memory');
const dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-ps-memory-'));
try {
  const memory = Prisma.sql`SELECT sum(total_bytes)::bigint AS bytes FROM pg_backend_memory_contexts`;
  const mb = (rows) => (Number(rows[0].bytes) / 2 ** 20).toFixed(1);
  for (const named of ['true', 'false']) {
    // A pool of one connection: every statement lands on the backend whose memory is read.
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: throwaway.url,
      DATABASE_POOL_SIZE: '1',
      DATABASE_PREPARED_STATEMENTS: named,
    });
    const database = await openDatabase(config, quiet);
    try {
      const user = await database.prisma.user.upsert({ where: { email: 'ps@example.com' }, create: { email: 'ps@example.com', passwordHash: 'x' }, update: {} });
      const task = (await database.prisma.task.findFirst({ where: { userId: user.id } })) ?? (await database.prisma.task.create({ data: { userId: user.id, title: 'ps' } }));
      const statements = everyShape(user.id, task.id);
      const before = mb(await database.sql.query(memory));
      for (const statement of statements) for (let i = 0; i < RUNS; i++) await database.sql.query(statement());
      const after = mb(await database.sql.query(memory));
      console.log(`${named === 'true' ? 'named  ' : 'unnamed'}: ${statements.length} shapes × ${RUNS} on one connection, backend memory ${before} MB → ${after} MB`);
    } finally {
      await database.close();
    }
  }
  console.log(`node ${process.version}`);
} finally {
  await throwaway.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
