// CPU per statement of the typed path (Kysely build + compile, run by DirectSql) against the
// hand-written `Prisma.sql` string path it replaced, same process, same pool, alternating rounds.
// Usage (after `pnpm build`): DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres node scripts/query-builder-bench.mjs
// Creates a throwaway database on that server, applies prisma/migrations, measures, drops it.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { directSqlOn } from '../dist/database/direct-sql.js';
import { db, fieldsOf, prepare } from '../dist/database/query-builder.js';
import { Prisma } from '../dist/generated/prisma/client.js';

const server = process.env.DATABASE_URL;
if (!server) throw new Error('Set DATABASE_URL to a PostgreSQL server');
const ITERATIONS = Number(process.env.ITERATIONS ?? 4_000);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

// The string path as it was: a hand-kept column list with casts, interpolated by Prisma.sql.
const OLD_FIELDS = [
  ['id', 'id'], ['user_id', 'userId'], ['title', 'title'], ['description', 'description'],
  ['status::text', 'status'], ['priority::text', 'priority'], ['started_at', 'startedAt'],
  ['completed_at', 'completedAt'], ['failed_at', 'failedAt'], ['error_message', 'errorMessage'],
  ['log_count', 'logCount'], ['log_seq', 'logSeq'], ['last_log', 'lastLog'],
  ['version', 'version'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'], ['deleted_at', 'deletedAt'],
];
const OLD_COLUMNS = Prisma.raw(OLD_FIELDS.map(([c, f]) => `${c} AS "${f}"`).join(', '));
const TASK_SELECTION = fieldsOf(Prisma.TaskScalarFieldEnum);

const statements = {
  'findOwnedById (select)': {
    old: (u, id) => Prisma.sql`SELECT ${OLD_COLUMNS} FROM tasks WHERE id = ${id}::uuid AND user_id = ${u}::uuid AND deleted_at IS NULL`,
    typed: prepare((u, id) => db.selectFrom('tasks').select(TASK_SELECTION).where('id', '=', id).where('user_id', '=', u).where('deleted_at', 'is', null)),
    unprepared: (u, id) =>
      db.selectFrom('tasks').select(TASK_SELECTION).where('id', '=', id).where('user_id', '=', u).where('deleted_at', 'is', null).compile(),
  },
  'token check (exists)': {
    old: (u, jti) => Prisma.sql`SELECT u.id::text AS id, u.email,
      EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = ${jti}::uuid) AS revoked FROM users u WHERE u.id = ${u}::uuid`,
    typed: prepare((u, jti) =>
      db
        .selectFrom('users as u')
        .select((eb) => ['u.id', 'u.email', eb.exists(eb.selectFrom('revoked_tokens as r').select(eb.lit(1).as('one')).where('r.jti', '=', jti)).as('revoked')])
        .where('u.id', '=', u),
    ),
  },
};

const name = `tasks_qb_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = new URL(server);
url.pathname = `/${name}`;
const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
pool.on('error', () => undefined); // the DROP … WITH (FORCE) at the end ends its idle connection
try {
  for (const dir of readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    await pool.query(readFileSync(`${migrationsDir}/${dir}/migration.sql`, 'utf8'));
  }
  const userId = randomUUID();
  const taskId = randomUUID();
  await pool.query(`INSERT INTO users (id, email, password_hash, updated_at) VALUES ($1, 'bench@example.com', 'x', now())`, [userId]);
  await pool.query(`INSERT INTO tasks (id, user_id, title, updated_at) VALUES ($1, $2, 'bench', now())`, [taskId, userId]);
  const sql = directSqlOn(pool);

  const cpuPer = async (make, arg) => {
    const start = process.cpuUsage();
    for (let i = 0; i < ITERATIONS; i++) await sql.query(make(userId, arg));
    const used = process.cpuUsage(start);
    return (used.user + used.system) / ITERATIONS;
  };
  const buildPer = (make, arg) => {
    const start = process.cpuUsage();
    for (let i = 0; i < ITERATIONS * 10; i++) make(userId, arg);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / (ITERATIONS * 10);
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  console.log(`node ${process.version}, ${ITERATIONS} statements x ${ROUNDS} rounds per path, CPU µs per statement (client process)`);
  for (const [label, { old, typed, unprepared }] of Object.entries(statements)) {
    const arg = label.startsWith('token') ? randomUUID() : taskId;
    await cpuPer(old, arg); // warm-up
    await cpuPer(typed, arg);
    const runs = { old: [], typed: [], oldBuild: [], typedBuild: [] };
    for (let r = 0; r < ROUNDS; r++) {
      runs.old.push(await cpuPer(old, arg));
      runs.typed.push(await cpuPer(typed, arg));
      runs.oldBuild.push(buildPer(old, arg));
      runs.typedBuild.push(buildPer(typed, arg));
    }
    const [o, t] = [median(runs.old), median(runs.typed)];
    console.log(
      `${label}: end-to-end old ${o.toFixed(1)} µs, typed ${t.toFixed(1)} µs (${((t / o - 1) * 100).toFixed(1)}%); ` +
        `build only old ${median(runs.oldBuild).toFixed(2)} µs, typed ${median(runs.typedBuild).toFixed(2)} µs`,
    );
    if (unprepared) console.log(`  (building and compiling the Kysely query on every call instead: ${buildPer(unprepared, arg).toFixed(2)} µs)`);
  }
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
  await admin.end();
}
