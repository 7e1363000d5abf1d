// What named prepared statements cost PostgreSQL in memory at worst: one connection runs every list
// shape (and every UPDATE shape) several times, named and then unnamed, and reports that backend's
// memory (pg_backend_memory_contexts) after each.
// Usage (after `pnpm build`): DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node scripts/prepared-statements-memory.mjs
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TASK_PRIORITIES, TASK_SORTS, TASK_STATUSES } from '@tasks/schemas';
import { directSqlOn } from '../dist/database/direct-sql.js';
import { Prisma } from '../dist/generated/prisma/client.js';
import { listPageStatement } from '../dist/tasks/task-list.queries.js';
import { updateAtVersion } from '../dist/tasks/task-statements.js';

const server = process.env.DATABASE_URL;
if (!server) throw new Error('Set DATABASE_URL to a PostgreSQL server');
const RUNS = 6; // past PostgreSQL's five custom plans, so a generic plan is cached too
const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));
const UPDATE_FIELDS = ['title', 'description', 'priority', 'status', 'started_at', 'completed_at', 'failed_at', 'error_message'];
const VALUES = { title: 't', description: null, priority: 'LOW', status: 'PENDING', error_message: null };

const name = `tasks_ps_memory_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = new URL(server);
url.pathname = `/${name}`;
try {
  const setup = new pg.Client({ connectionString: url.toString() });
  await setup.connect();
  for (const dir of readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    await setup.query(readFileSync(`${migrationsDir}/${dir}/migration.sql`, 'utf8'));
  }
  const userId = randomUUID();
  const taskId = randomUUID();
  await setup.query(`INSERT INTO users (id, email, password_hash, updated_at) VALUES ($1, 'ps@example.com', 'x', now())`, [userId]);
  await setup.query(`INSERT INTO tasks (id, user_id, title, updated_at) VALUES ($1, $2, 'ps', now())`, [taskId, userId]);
  await setup.end();

  const statements = [];
  for (const sort of TASK_SORTS) {
    for (let statuses = -1; statuses <= TASK_STATUSES.length; statuses++) {
      for (let priorities = -1; priorities <= TASK_PRIORITIES.length; priorities++) {
        for (const q of [undefined, 'ps']) {
          const list = { sort, limit: 20, offset: 0, q };
          if (statuses === 0 || priorities === 0) continue; // the schema refuses an empty filter
          if (statuses > 0) list.status = TASK_STATUSES.slice(0, statuses);
          if (priorities > 0) list.priority = TASK_PRIORITIES.slice(0, priorities);
          statements.push(() => listPageStatement(userId, list));
        }
      }
    }
  }
  for (let mask = 1; mask < 1 << UPDATE_FIELDS.length; mask++) {
    const set = Object.fromEntries(UPDATE_FIELDS.filter((_, i) => mask & (1 << i)).map((field) => [field, field in VALUES ? VALUES[field] : null]));
    statements.push(() => updateAtVersion(userId, taskId, undefined, set, new Date()));
  }

  const memory = Prisma.sql`SELECT sum(total_bytes)::bigint AS bytes FROM pg_backend_memory_contexts`;
  const mb = (rows) => (Number(rows[0].bytes) / 2 ** 20).toFixed(1);
  console.log(`node ${process.version}, ${statements.length} statement shapes, each run ${RUNS} times on one connection`);
  for (const named of [true, false]) {
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    const sql = directSqlOn(pool, named);
    const before = mb(await sql.query(memory));
    for (const statement of statements) for (let i = 0; i < RUNS; i++) await sql.query(statement());
    const after = mb(await sql.query(memory));
    console.log(`${named ? 'named  ' : 'unnamed'}: backend memory ${before} MB → ${after} MB`);
    await pool.end();
  }
} finally {
  await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
  await admin.end();
}
