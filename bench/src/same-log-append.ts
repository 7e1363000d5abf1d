// The log append's counterpart of checkSameShape. Two appends cannot answer byte-identical JSON (each
// entry gets a new id and time), so both servers append to one task in turn, and each answer, the task
// it leaves and the change row it records are reduced to what must match: every key, in order, every
// value but the id and time, and how each ties to the others.
import { rawRequest } from '@tasks/api-client';
import type { Sql } from './database.js';
import { headerLines } from './headers.js';
import type { RunningServer } from './servers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON text with object keys sorted: jsonb (the change row) keeps its own key order. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key]!)}`).join(',')}}`;
}

interface ChangeRow {
  type: string;
  changed: string[];
  version: number;
  task: Json;
  previous: { [key: string]: Json } | null;
}

/** One server's append to task `id`, reduced to what the other's must equal. */
async function appendOnce(server: RunningServer, reader: RunningServer, sql: Sql, token: string, id: string) {
  const readTask = async () => (await rawRequest(reader.url, 'GET', `/api/tasks/${id}`, { token, timeoutMs: 60_000 })).body as { [key: string]: Json };
  const before = await readTask();
  const sent = { level: 'warn', message: '  Same answer from both servers  ' };
  const response = await rawRequest(server.url, 'POST', `/api/tasks/${id}/logs`, { token, body: sent, timeoutMs: 60_000 });
  const entry = (response.body ?? {}) as { [key: string]: Json };
  const after = await readTask();
  const [change] = await sql.query<ChangeRow>(
    'SELECT type::text, changed, version, task, previous FROM task_changes WHERE task_id = $1 ORDER BY seq DESC LIMIT 1',
    [id],
  );
  const replaced = { logCount: before.logCount ?? null, lastLog: before.lastLog ?? null, updatedAt: before.updatedAt ?? null };
  return {
    status: response.status,
    contentType: response.contentType,
    location: response.headers.get('location'),
    // The floor does not count writes per user, so it has no RateLimit headers to send (docs/benchmarks.md).
    headers: headerLines(response.headers, ['etag', 'location', 'ratelimit', 'ratelimit-policy']),
    etagIsVersion: response.headers.get('etag') === `"${Number(after.version)}"`,
    keys: Object.keys(entry),
    level: entry.level,
    message: entry.message,
    lastLogIsAnswer: JSON.stringify(after.lastLog) === response.text,
    updatedAtIsAt: after.updatedAt === entry.at,
    versionStep: Number(after.version) - Number(before.version),
    logCountStep: Number(after.logCount) - Number(before.logCount),
    change: change && {
      type: change.type,
      changed: change.changed,
      versionIsTask: change.version === after.version,
      taskIsRead: canonical(change.task) === canonical(after),
      previousKeys: change.previous && Object.keys(change.previous).sort(),
      previousIsBefore: change.previous !== null && canonical(change.previous) === canonical(replaced),
    },
  };
}

/** App then baseline append to the same task; what each answered and wrote must have the same shape. */
export async function checkSameLogAppend(app: RunningServer, baseline: RunningServer, sql: Sql, token: string, id: string): Promise<void> {
  const fromApp = JSON.stringify(await appendOnce(app, app, sql, token, id), null, 1);
  const fromBaseline = JSON.stringify(await appendOnce(baseline, app, sql, token, id), null, 1);
  if (fromApp !== fromBaseline || !fromApp.includes('"status": 201')) {
    throw new Error(`app and baseline differ on POST /api/tasks/:id/logs:\napp ${fromApp}\nbaseline ${fromBaseline}`);
  }
}
