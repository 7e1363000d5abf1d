// The five benchmarked routes, as apps/backend answers them (tasks.controller.ts, tasks.service.ts):
// the same statements in the same round trips, the same JSON, ETags and status codes.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { UUID } from './hs256.js';
import { parseLogAppend } from './log-entry.js';
import {
  appendLogEntry,
  findOwned,
  inTransaction,
  insertBelowQuota,
  listTasks,
  lockLogState,
  recordChange,
  updateOwnedTask,
} from './statements.js';
import { countWithin, cursorsFor, type LogEntry, type TaskRow, toTask } from './task-json.js';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

export interface RouteContext {
  pool: pg.Pool;
  /** The token's user id; throws HttpProblem 401 as the app's guard does. */
  authenticate(request: FastifyRequest): Promise<string>;
  jwtSecret: string;
  maxTasksPerUser: number;
  /** TASKS_LOG_LIMIT: the newest entries kept per task. */
  logLimit: number;
  /** The statement timeout of a write transaction (the app's request budget). */
  writeTimeoutMs: number;
}

const PRIORITIES = new Set(['LOW', 'MEDIUM', 'HIGH', 'URGENT']);
/** LOG_APPEND_FIELDS of task-change.ts: what the change row of a log append says it changed. */
const LOG_APPEND_FIELDS = ['logCount', 'lastLog'];
const JSON_TYPE = 'application/json; charset=utf-8';
// One entity tag of an If-None-Match list (if-none-match.ts).
const ENTITY_TAG = /\s*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;

/** RFC 9110 If-None-Match by weak comparison, as ifNoneMatchHits; a malformed header matches nothing. */
function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  ENTITY_TAG.lastIndex = 0;
  let end = 0;
  let hit = false;
  for (let match = ENTITY_TAG.exec(header); match !== null && end < header.length; match = ENTITY_TAG.exec(header)) {
    hit ||= match[1] === etag;
    end = ENTITY_TAG.lastIndex;
  }
  return hit && header.slice(end).trim() === '';
}

function taskId(request: FastifyRequest): string {
  const { id } = request.params as { id: string };
  if (!UUID.test(id)) throw new HttpProblem(400, 'Bad Request', 'id must be a UUID');
  return id;
}

export function registerRoutes(app: FastifyInstance, context: RouteContext): void {
  const { pool, authenticate, maxTasksPerUser, logLimit, writeTimeoutMs } = context;
  const { changeCursor, listCursor } = cursorsFor(context.jwtSecret);
  const notModified = (reply: FastifyReply) => reply.code(304).send();

  app.get('/api/tasks', async (request, reply) => {
    const userId = await authenticate(request);
    const query = request.query as { limit?: string; offset?: string };
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) {
      throw new HttpProblem(400, 'Bad Request', 'limit/offset');
    }
    // One row more than the page tells whether another page follows (TasksService.list).
    const rows = await listTasks(pool, userId, limit + 1, offset);
    const first = rows[0];
    const total = first?.total ?? 0;
    const seq = first?.change_seq ?? '0';
    const listed = first?.id === null ? [] : rows;
    const items = listed.slice(0, limit).map((row) => toTask(row as TaskRow));
    // The same 1 MiB page cap (response-size.ts): bound each task's JSON, stop early.
    const fit = countWithin(items);
    const last = items[fit - 1];
    const nextCursor = last && (fit < items.length || listed.length > limit) ? listCursor(userId, last, Number(seq)) : null;
    const page = { items: items.slice(0, fit), total, limit: fit < items.length ? fit : limit, offset, nextCursor, changesCursor: changeCursor(userId, seq) };
    // The ETag hashes the very text sent (listEtag), so the page is serialised here, once.
    const body = JSON.stringify(page);
    const etag = `"l.${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    void reply.header('etag', etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return notModified(reply);
    return reply.type(JSON_TYPE).send(body);
  });

  app.get('/api/tasks/:id', async (request, reply) => {
    const userId = await authenticate(request);
    const row = await findOwned(pool, userId, taskId(request));
    if (!row) throw new HttpProblem(404, 'Not Found', 'No such task');
    const etag = `"${row.version}"`;
    void reply.header('etag', etag);
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return notModified(reply);
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
    const task = await inTransaction(pool, writeTimeoutMs, async (sql) => {
      const row = await insertBelowQuota(sql, userId, { title, description, priority }, maxTasksPerUser);
      if (!row) return undefined;
      const created = toTask(row);
      await recordChange(sql, userId, { type: 'task:created', task: created, changed: [], previous: null });
      return created;
    });
    if (!task) throw new HttpProblem(403, 'Forbidden', 'quota-exceeded');
    void reply.code(201).header('location', `/api/tasks/${task.id}`).header('etag', `"${task.version}"`);
    return task;
  });

  // Title and priority edits (what the benchmark sends), as TasksService.edit: lock the row, drop
  // the fields that would not change, update, record the change with the values it replaced.
  app.patch('/api/tasks/:id', async (request, reply) => {
    const userId = await authenticate(request);
    const id = taskId(request);
    const body = request.body as { title?: unknown; priority?: unknown } | null;
    const title = typeof body?.title === 'string' ? body.title.trim() : undefined;
    const priority = typeof body?.priority === 'string' && PRIORITIES.has(body.priority) ? body.priority : undefined;
    if (title === undefined && priority === undefined) throw new HttpProblem(400, 'Bad Request', 'nothing to change');
    if (title !== undefined && (title.length < 1 || title.length > 200)) throw new HttpProblem(400, 'Bad Request', 'title');
    const task = await inTransaction(pool, writeTimeoutMs, async (sql) => {
      const current = await findOwned(sql, userId, id, true);
      if (!current) throw new HttpProblem(404, 'Not Found', 'No such task');
      const set = { title: title === current.title ? null : (title ?? null), priority: priority === current.priority ? null : (priority ?? null) };
      if (set.title === null && set.priority === null) return toTask(current);
      const updated = toTask(await updateOwnedTask(sql, userId, id, set));
      const changed = [...(set.title === null ? [] : ['title']), ...(set.priority === null ? [] : ['priority'])];
      const previous: Record<string, unknown> = {};
      for (const field of changed) previous[field] = current[field as 'title' | 'priority'];
      previous.updatedAt = current.updated_at;
      await recordChange(sql, userId, { type: 'task:updated', task: updated, changed, previous });
      return updated;
    });
    void reply.header('etag', `"${task.version}"`);
    return task;
  });

  // TasksService.appendLog: lock the task (the change records what the append replaces), append and
  // trim, record the change; 201 with the entry, ETag the task's new version, no Location.
  app.post('/api/tasks/:id/logs', async (request, reply) => {
    const userId = await authenticate(request);
    const id = taskId(request);
    const input = parseLogAppend(request.body);
    if (!input) throw new HttpProblem(400, 'Bad Request', 'level/message');
    const now = new Date();
    const entry: LogEntry = { id: randomUUID(), at: now.toISOString(), level: input.level, message: input.message };
    // The entry's JSON is the last_log parameter and the response body: serialised once.
    const body = JSON.stringify(entry);
    const version = await inTransaction(pool, writeTimeoutMs, async (sql) => {
      const before = await lockLogState(sql, userId, id);
      if (!before) throw new HttpProblem(404, 'Not Found', 'No such task');
      const row = await appendLogEntry(sql, userId, id, entry, body, logLimit, now);
      if (!row) throw new Error('The append to a locked task returned no row');
      const previous = { logCount: before.log_count, lastLog: before.last_log, updatedAt: before.updated_at };
      await recordChange(sql, userId, { type: 'task:updated', task: toTask(row), changed: LOG_APPEND_FIELDS, previous });
      return row.version;
    });
    return reply.code(201).header('etag', `"${version}"`).type(JSON_TYPE).send(body);
  });
}
