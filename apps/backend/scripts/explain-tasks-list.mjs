// EXPLAIN (ANALYZE, BUFFERS) of the task-list queries for a user with 100,000 tasks.
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node scripts/explain-tasks-list.mjs
// Creates a throwaway database on that server, applies prisma/migrations, seeds, explains, drops it.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const server = process.env.DATABASE_URL;
if (!server) throw new Error('Set DATABASE_URL to a PostgreSQL server');
const TASKS = Number(process.env.TASKS ?? 100_000);
const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

const name = `tasks_explain_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = new URL(server);
url.pathname = `/${name}`;
const db = new pg.Client({ connectionString: url.toString() });
await db.connect();
try {
  for (const dir of readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    await db.query(readFileSync(`${migrationsDir}/${dir}/migration.sql`, 'utf8'));
  }
  const users = ['a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002'];
  for (const id of users) {
    await db.query(`INSERT INTO users (id, email, password_hash, updated_at) VALUES ($1, $2, 'x', now())`, [id, `${id}@example.com`]);
  }
  // The user under test: 100,000 tasks over a year, mixed statuses/priorities, 2% soft-deleted.
  // A neighbour with 20,000 tasks so the user filter has something to skip.
  const seed = `INSERT INTO tasks (id, user_id, title, status, priority, created_at, updated_at, deleted_at)
    SELECT gen_random_uuid(), $1, 'task ' || g,
      (ARRAY['PENDING','RUNNING','COMPLETED','FAILED','CANCELLED']::"TaskStatus"[])[1 + (g % 5)],
      (ARRAY['LOW','MEDIUM','HIGH','URGENT']::"TaskPriority"[])[1 + (g % 4)],
      now() - (g || ' seconds')::interval * 300, now() - (g || ' seconds')::interval * 150,
      CASE WHEN g % 50 = 0 THEN now() ELSE NULL END
    FROM generate_series(1, $2::int) AS g`;
  await db.query(seed, [users[0], TASKS]);
  await db.query(seed, [users[1], 20_000]);
  await db.query('VACUUM ANALYZE tasks');

  const cols = `id, user_id, title, description, status, priority, started_at, completed_at, failed_at, error_message,
    logs, version, created_at, updated_at, deleted_at`;
  const where = `user_id = $1 AND deleted_at IS NULL`;
  const queries = [
    ['page: sort=-createdAt limit=20 offset=0 (default)', `SELECT ${cols} FROM tasks WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`],
    ['page: sort=priority limit=20 offset=0', `SELECT ${cols} FROM tasks WHERE ${where} ORDER BY priority ASC, id ASC LIMIT 20 OFFSET 0`],
    ['page: sort=-updatedAt limit=100 offset=0', `SELECT ${cols} FROM tasks WHERE ${where} ORDER BY updated_at DESC, id DESC LIMIT 100 OFFSET 0`],
    ['page: status=RUNNING,FAILED sort=-createdAt limit=20', `SELECT ${cols} FROM tasks WHERE ${where} AND status IN ('RUNNING','FAILED') ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`],
    ['page: deep offset=97000 sort=-createdAt limit=20', `SELECT ${cols} FROM tasks WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 97000`],
    ['total: count for the user', `SELECT count(*) FROM tasks WHERE ${where}`],
    ['total: count with status=RUNNING', `SELECT count(*) FROM tasks WHERE ${where} AND status IN ('RUNNING')`],
    ['running cap: count RUNNING', `SELECT count(*) FROM tasks WHERE user_id = $1 AND deleted_at IS NULL AND status = 'RUNNING'`],
  ];
  const version = (await db.query('SELECT version()')).rows[0].version;
  console.log(`# ${version}\n# user with ${TASKS} tasks (2% soft-deleted) + neighbour with 20000\n`);
  for (const [label, sql] of queries) {
    const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, [users[0]]);
    console.log(`## ${label}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
  }
} finally {
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
