/**
 * Mixed write load for the fault tests: each worker creates tasks and appends log lines to them,
 * recording every outcome, so a test can afterwards check the database against what the clients
 * were told (acknowledged writes present, failed ones absent or whole, none half-applied).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { problemSchema } from '@tasks/schemas';
import { call, type Account } from '../support/http-client.js';

export type Outcome =
  | { kind: 'status'; status: number; problem: boolean; contentType: string }
  | { kind: 'refused' } // connection refused: nobody listening
  | { kind: 'reset' } // connection dropped before any response
  | { kind: 'hang' }; // no answer within the client timeout

export interface WriteRecord {
  op: 'create' | 'log';
  /** Title of the created task, or the task id for a log. */
  target: string;
  /** Unique marker: the title for a create, the log message for a log append. */
  marker: string;
  outcome: Outcome;
  startedAt: number;
  endedAt: number;
}

const CLIENT_TIMEOUT_MS = 15_000;

function classify(error: unknown): Outcome {
  const text = String((error as { cause?: { code?: string; message?: string } })?.cause?.code ?? '') + ' ' + String((error as Error)?.message ?? '') + ' ' + String((error as { cause?: Error })?.cause?.message ?? '');
  if (/TimeoutError|aborted due to timeout/i.test(text) || (error as Error)?.name === 'TimeoutError') return { kind: 'hang' };
  if (/ECONNREFUSED/.test(text)) return { kind: 'refused' };
  return { kind: 'reset' };
}

async function attempt(url: string, method: string, path: string, token: string, body: unknown): Promise<{ outcome: Outcome; json: unknown }> {
  try {
    const response = await call(url, method, path, { token, body, timeoutMs: CLIENT_TIMEOUT_MS });
    const problem = response.contentType.startsWith('application/problem+json') && problemSchema.safeParse(response.body).success;
    return { outcome: { kind: 'status', status: response.status, problem, contentType: response.contentType }, json: response.body };
  } catch (error) {
    return { outcome: classify(error), json: undefined };
  }
}

export interface LoadOptions {
  url: () => string;
  accounts: Account[];
  workers: number;
  shouldStop: () => boolean;
  /** Pause between a worker's requests. */
  pauseMs?: number;
}

/** Runs until `shouldStop()`; returns every write attempted and how it ended. */
export async function runWriteLoad(options: LoadOptions): Promise<WriteRecord[]> {
  const records: WriteRecord[] = [];
  const worker = async (index: number) => {
    const account = options.accounts[index % options.accounts.length]!;
    const acknowledged: string[] = [];
    let step = 0;
    while (!options.shouldStop()) {
      step += 1;
      const startedAt = Date.now();
      if (acknowledged.length === 0 || step % 3 === 0) {
        const title = `w${index}-${step}-${randomUUID().slice(0, 8)}`;
        const { outcome, json } = await attempt(options.url(), 'POST', '/api/tasks', account.token, { title, priority: 'HIGH' });
        records.push({ op: 'create', target: title, marker: title, outcome, startedAt, endedAt: Date.now() });
        if (outcome.kind === 'status' && outcome.status === 201) acknowledged.push((json as { id: string }).id);
      } else {
        const id = acknowledged[step % acknowledged.length]!;
        const message = `m-${randomUUID()}`;
        const { outcome } = await attempt(options.url(), 'POST', `/api/tasks/${id}/logs`, account.token, { message, level: 'warn' });
        records.push({ op: 'log', target: id, marker: message, outcome, startedAt, endedAt: Date.now() });
      }
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index)));
  return records;
}

export const isSuccess = (record: WriteRecord) => record.outcome.kind === 'status' && record.outcome.status >= 200 && record.outcome.status < 300;

export interface DataCheck {
  acknowledged: number;
  failed: number;
  /** Failed writes that were nevertheless committed whole (allowed: the reply was lost, not the write). */
  failedButCommitted: number;
  problems: string[];
}

interface Row {
  id: string;
  title: string;
  version: number;
  logs: { message: string }[];
}

/**
 * Compares the database with what the clients were told: every acknowledged create and log line is
 * there exactly once; a failed one is absent or whole; and each task's version equals 1 + its log
 * count (the load only appends logs), so no UPDATE half-applied.
 */
export async function checkWrites(client: pg.Client, records: WriteRecord[]): Promise<DataCheck> {
  const { rows } = await client.query<Row>(
    `SELECT t.id::text, t.title, t.version,
       COALESCE((SELECT json_agg(json_build_object('message', l.message) ORDER BY l.seq) FROM task_logs l WHERE l.task_id = t.id), '[]') AS logs
     FROM tasks t`,
  );
  const byTitle = new Map(rows.map((row) => [row.title, row]));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const problems: string[] = [];
  let acknowledged = 0;
  let failed = 0;
  let failedButCommitted = 0;
  for (const record of records) {
    const ok = isSuccess(record);
    if (ok) acknowledged += 1;
    else failed += 1;
    if (record.op === 'create') {
      const row = byTitle.get(record.marker);
      if (ok && !row) problems.push(`acknowledged create ${record.marker} is missing`);
      if (!ok && row) failedButCommitted += 1;
    } else {
      const row = byId.get(record.target);
      const copies = row?.logs.filter((entry) => entry.message === record.marker).length ?? 0;
      if (ok && copies !== 1) problems.push(`acknowledged log ${record.marker} found ${copies} times`);
      if (!ok && copies > 1) problems.push(`failed log ${record.marker} applied ${copies} times`);
      if (!ok && copies === 1) failedButCommitted += 1;
    }
  }
  for (const row of rows) {
    if (row.version !== 1 + row.logs.length) problems.push(`task ${row.id}: version ${row.version} but ${row.logs.length} log entries`);
  }
  return { acknowledged, failed, failedButCommitted, problems };
}

/** Summary of outcomes, e.g. { '201': 40, '503': 7, refused: 2 }. */
export function tally(records: WriteRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const key = record.outcome.kind === 'status' ? String(record.outcome.status) : record.outcome.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
