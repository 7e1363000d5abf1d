// The baseline: the floor of what Node + Fastify + pg can do for the four benchmarked routes, with the
// same SQL as apps/backend (tasks.repository.ts, auth.repository.ts), the same JSON shape and the same
// token checks (jsonwebtoken, HS256 pinned, issuer, audience, expiry; user exists and jti not revoked).
// No framework layers beyond Fastify: no DI, guards, pipes, Zod, helmet or CORS.
import { createSecretKey, randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { countWithin, cursorsFor, type TaskJson, type TaskRow, toTask } from './task-json.js';

const env = process.env;
// A KeyObject, made once: given a string, jsonwebtoken first tries to parse it as a PEM public key on
// every call (a thrown and caught exception, ~1-2 ms of CPU), then makes a secret key of it.
const secret = createSecretKey(Buffer.from(env.JWT_SECRET ?? ''));
const verifyOptions: jwt.VerifyOptions = {
  algorithms: ['HS256'],
  issuer: env.JWT_ISSUER ?? 'tasks-api',
  audience: env.JWT_AUDIENCE ?? 'tasks-api',
};
const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.DATABASE_POOL_SIZE ?? 10),
  statement_timeout: 10_000,
});
pool.on('error', () => undefined);

const COLUMNS = `id, title, description, status::text AS status, priority::text AS priority,
  started_at, completed_at, failed_at, error_message, log_count, last_log, version, created_at, updated_at`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const PRIORITIES = new Set(['LOW', 'MEDIUM', 'HIGH', 'URGENT']);

const MAX_TASKS_PER_USER = Number(env.TASKS_MAX_PER_USER ?? 100_000);
const { changeCursor, listCursor } = cursorsFor(env.JWT_SECRET ?? '');

/**
 * The change the app records as each write's last statement (changes/change-log.sql.ts): the user's
 * row lock and next seq, and the change row, in one statement.
 */
async function recordChange(client: pg.PoolClient, userId: string, type: string, task: TaskJson, changed: string[]): Promise<void> {
  await client.query(
    `WITH u AS (UPDATE users SET change_seq = change_seq + 1 WHERE id = $1 RETURNING id, change_seq)
     INSERT INTO task_changes (user_id, seq, task_id, type, at, version, changed, task)
     SELECT u.id, u.change_seq, $2::uuid, $3::"TaskChangeType", clock_timestamp(), $4::int, $5::text[], $6::jsonb FROM u
     RETURNING seq::text AS seq, at`,
    [userId, task.id, type, task.version, changed, JSON.stringify(task)],
  );
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

interface Claims {
  sub: string;
  jti: string;
}

/** Same checks and the same SQL as AccessTokenVerifier + AuthRepository.findTokenSubject. */
async function authenticate(request: FastifyRequest): Promise<string> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  if (!match?.[1]) throw new HttpProblem(401, 'Unauthorized', 'No access token');
  let claims: Claims;
  try {
    claims = jwt.verify(match[1], secret, verifyOptions) as Claims;
  } catch {
    throw new HttpProblem(401, 'Unauthorized', 'Invalid access token');
  }
  if (!UUID.test(claims.sub) || !UUID.test(claims.jti)) throw new HttpProblem(401, 'Unauthorized', 'Bad claims');
  const { rows } = await pool.query<{ id: string; email: string; revoked: boolean }>(
    `SELECT u.id::text AS id, u.email,
            EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $1::uuid) AS revoked
     FROM users u WHERE u.id = $2::uuid`,
    [claims.jti, claims.sub],
  );
  const row = rows[0];
  if (!row) throw new HttpProblem(401, 'Unauthorized', 'User gone');
  if (row.revoked) throw new HttpProblem(401, 'Unauthorized', 'Revoked');
  return row.id;
}

function taskId(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!UUID.test(id)) throw new HttpProblem(400, 'Bad Request', 'id must be a UUID');
  return id;
}

/**
 * A write as the app makes it (DirectSql.transaction under the request budget): BEGIN with the
 * statement timeout set to the time left, the statements, COMMIT.
 */
async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN; SET LOCAL statement_timeout = 10000');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function findOwned(userId: string, id: string): Promise<TaskRow | undefined> {
  const { rows } = await pool.query<TaskRow>(
    `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL LIMIT 1`,
    [id, userId],
  );
  return rows[0];
}

const app = Fastify({
  logger: { level: env.LOG_LEVEL ?? 'warn' },
  genReqId: () => randomUUID(),
  bodyLimit: 1024 * 1024,
});
app.addHook('onRequest', async (request, reply) => {
  void reply.header('x-request-id', request.id);
});
app.setErrorHandler((error: Error & { statusCode?: number }, request, reply: FastifyReply) => {
  const status = error instanceof HttpProblem ? error.status : (error.statusCode ?? 500);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: status >= 500 ? 'Internal Server Error' : error.message, status, instance: request.url });
});

app.get('/api/tasks', async (request) => {
  const userId = await authenticate(request);
  const query = request.query as { limit?: string; offset?: string };
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) {
    throw new HttpProblem(400, 'Bad Request', 'limit/offset');
  }
  // Same as TasksRepository.listForUser: page + count in one statement (one snapshot); the count is
  // the one-row left side, so an offset past the end still gets the total.
  const { rows } = await pool.query<TaskRow & { total: number; change_seq: string }>(
    `SELECT c.total, c.change_seq, p.id, p.title, p.description, p.status::text AS status, p.priority::text AS priority,
       p.started_at, p.completed_at, p.failed_at, p.error_message, p.log_count, p.last_log, p.version, p.created_at, p.updated_at
     FROM (SELECT count(*)::int AS total, (SELECT change_seq::text FROM users WHERE id = $1) AS change_seq
       FROM tasks WHERE user_id = $1 AND deleted_at IS NULL) AS c
     LEFT JOIN LATERAL (
       SELECT * FROM tasks WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
     ) AS p ON true
     ORDER BY p.created_at DESC, p.id DESC`,
    [userId, limit + 1, offset],
  );
  // One row more than the page tells whether another page follows (nextCursor), as in TasksService.list.
  const items = rows.filter((row) => row.id !== null).map(toTask);
  const page = items.slice(0, limit);
  // The same 1 MiB page cap as TasksService.list (response-size.ts): bound each task's JSON, stop early.
  const fit = countWithin(page);
  const last = page[fit - 1];
  const nextCursor = last && items.length > fit ? listCursor(userId, last, Number(rows[0]?.change_seq ?? 0)) : null;
  const total = rows[0]?.total ?? 0;
  const changesCursor = changeCursor(userId, rows[0]?.change_seq ?? '0');
  return { items: page.slice(0, fit), total, limit: fit < page.length ? fit : limit, offset, nextCursor, changesCursor };
});

app.get('/api/tasks/:id', async (request, reply) => {
  const userId = await authenticate(request);
  const row = await findOwned(userId, taskId(request));
  if (!row) throw new HttpProblem(404, 'Not Found', 'No such task');
  void reply.header('etag', `"${row.version}"`);
  return toTask(row);
});

app.post('/api/tasks', async (request, reply) => {
  const userId = await authenticate(request);
  const body = request.body as { title?: unknown; description?: unknown; priority?: unknown } | null;
  const title = typeof body?.title === 'string' ? body.title.trim() : '';
  if (title.length < 1 || title.length > 200) throw new HttpProblem(400, 'Bad Request', 'title');
  const priority = body?.priority === undefined ? 'MEDIUM' : body.priority;
  if (typeof priority !== 'string' || !PRIORITIES.has(priority)) throw new HttpProblem(400, 'Bad Request', 'priority');
  const description = typeof body?.description === 'string' ? body.description : null;
  // The per-user quota in the same statement, as TaskWrites.insertBelowQuota, in a transaction as the app's writes.
  const row = await inTransaction(async (client) => {
    const { rows } = await client.query<TaskRow>(
      `INSERT INTO tasks (id, user_id, title, description, priority, created_at, updated_at)
       SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::"TaskPriority", now(), now()
       WHERE (SELECT count(*) FROM (SELECT 1 FROM tasks WHERE user_id = $2::uuid AND deleted_at IS NULL LIMIT $6) AS live) < $6
       RETURNING ${COLUMNS}`,
      [randomUUID(), userId, title, description, priority, MAX_TASKS_PER_USER],
    );
    if (rows[0]) await recordChange(client, userId, 'task:created', toTask(rows[0]), []);
    return rows[0];
  });
  if (!row) throw new HttpProblem(403, 'Forbidden', 'quota-exceeded');
  const task = toTask(row);
  void reply.code(201).header('location', `/api/tasks/${task.id}`).header('etag', `"${task.version}"`);
  return task;
});

// Title/description/priority edits (what the benchmark sends): lock the row, then update it, in one
// transaction, as TasksService.edit does through TasksRepository.write (lockOwned + update).
app.patch('/api/tasks/:id', async (request, reply) => {
  const userId = await authenticate(request);
  const id = taskId(request);
  const body = request.body as { title?: unknown; priority?: unknown } | null;
  const title = typeof body?.title === 'string' ? body.title.trim() : undefined;
  const priority = typeof body?.priority === 'string' && PRIORITIES.has(body.priority) ? body.priority : undefined;
  if (title === undefined && priority === undefined) throw new HttpProblem(400, 'Bad Request', 'nothing to change');
  if (title !== undefined && (title.length < 1 || title.length > 200)) throw new HttpProblem(400, 'Bad Request', 'title');
  const row = await inTransaction(async (client) => {
    const locked = await client.query<{ id: string }>(
      `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL FOR UPDATE`,
      [id, userId],
    );
    if (!locked.rows[0]) throw new HttpProblem(404, 'Not Found', 'No such task');
    const { rows } = await client.query<TaskRow>(
      `UPDATE tasks SET title = COALESCE($1, title), priority = COALESCE($2::"TaskPriority", priority),
              version = version + 1, updated_at = now()
       WHERE id = $3 AND user_id = $4 AND deleted_at IS NULL
       RETURNING ${COLUMNS}`,
      [title ?? null, priority ?? null, id, userId],
    );
    const updated = rows[0] as TaskRow;
    const changed = [...(title === undefined ? [] : ['title']), ...(priority === undefined ? [] : ['priority'])];
    await recordChange(client, userId, 'task:updated', toTask(updated), changed);
    return updated;
  });
  void reply.header('etag', `"${row.version}"`);
  return toTask(row);
});

const port = Number(env.PORT ?? 0);
await app.listen({ port, host: env.HOST ?? '127.0.0.1' });
const shutdown = () => {
  void app.close().then(() => pool.end()).finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
