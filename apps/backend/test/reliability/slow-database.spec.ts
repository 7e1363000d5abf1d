import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemSchema } from '@tasks/schemas';
import { call, registerAccount, type Account } from '../support/http-client.js';
import { PrivatePostgres, sleep, startBackend, type BackendProcess } from '../support/processes.js';

const BUDGET_MS = 1_500;

describe('slow database', () => {
  let server: PrivatePostgres;
  let database: { name: string; url: string };
  let backend: BackendProcess;
  let account: Account;

  beforeAll(async () => {
    server = await PrivatePostgres.create();
    database = await server.createDatabase();
    backend = await startBackend({ databaseUrl: database.url, env: { TASKS_API_TIMEOUT: String(BUDGET_MS), AUTH_RATE_LIMIT_REGISTER: '1000' } });
    account = await registerAccount(backend.url, 'slow');
  }, 180_000);

  afterAll(async () => {
    await backend?.stop();
    await server?.dispose();
  });

  /** Statements of the backend's database that wait on a lock right now (ours excluded). */
  async function blockedStatements(): Promise<string[]> {
    const rows = await server.query<{ query: string }>(
      `SELECT query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'active' AND wait_event_type = 'Lock'`,
      [database.name],
    );
    return rows.map((row) => row.query);
  }

  const writes: { name: string; send: (id: string) => Promise<Awaited<ReturnType<typeof call>>> }[] = [
    { name: 'PATCH', send: (id) => call(backend.url, 'PATCH', `/api/tasks/${id}`, { token: account.token, body: { title: 'changed while locked' } }) },
    { name: 'POST logs', send: (id) => call(backend.url, 'POST', `/api/tasks/${id}/logs`, { token: account.token, body: { message: 'appended while locked' } }) },
    { name: 'PATCH status RUNNING', send: (id) => call(backend.url, 'PATCH', `/api/tasks/${id}`, { token: account.token, body: { status: 'RUNNING' } }) },
    { name: 'DELETE', send: (id) => call(backend.url, 'DELETE', `/api/tasks/${id}`, { token: account.token }) },
  ];

  it.each(writes)('should answer 503 within the budget, cancel the statement and change nothing when $name waits on a locked row', async ({ send }) => {
    const created = await call(backend.url, 'POST', '/api/tasks', { token: account.token, body: { title: 'locked' } });
    const id = (created.body as { id: string }).id;
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [id]);
      const started = Date.now();
      const response = await send(id);
      const elapsed = Date.now() - started;

      expect(response.status).toBe(503);
      expect(response.contentType).toContain('application/problem+json');
      expect(problemSchema.safeParse(response.body).success).toBe(true);
      expect(response.headers.get('retry-after')).not.toBeNull();
      // Correctness bound, not a benchmark: the answer comes from the budget, not from the lock.
      expect(elapsed).toBeLessThan(BUDGET_MS + 5_000);

      // The database gave up the statement itself (statement_timeout), while our lock is still held.
      let blocked = await blockedStatements();
      for (let i = 0; i < 50 && blocked.length > 0; i += 1) {
        await sleep(100);
        blocked = await blockedStatements();
      }
      expect(blocked).toEqual([]);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await sleep(300);
    const after = await server.query<{ title: string; version: number; status: string; deleted_at: unknown; logs: number }>(
      'SELECT title, version, status::text AS status, deleted_at, (SELECT count(*)::int FROM task_logs WHERE task_id = tasks.id) AS logs FROM tasks WHERE id = $1',
      [id],
      database.name,
    );
    expect(after[0]).toEqual({ title: 'locked', version: 1, status: 'PENDING', deleted_at: null, logs: 0 });
    expect(backend.child.exitCode).toBeNull();
  }, 60_000);

  it('should keep serving other requests when one is stuck on a lock', async () => {
    const created = await call(backend.url, 'POST', '/api/tasks', { token: account.token, body: { title: 'held' } });
    const id = (created.body as { id: string }).id;
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM tasks WHERE id = $1 FOR UPDATE', [id]);
      const stuck = call(backend.url, 'PATCH', `/api/tasks/${id}`, { token: account.token, body: { title: 'x' } });
      const others = await Promise.all([
        call(backend.url, 'GET', '/api/tasks', { token: account.token }),
        call(backend.url, 'POST', '/api/tasks', { token: account.token, body: { title: 'free' } }),
      ]);
      expect(others.map((r) => r.status)).toEqual([200, 201]);
      expect((await stuck).status).toBe(503);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  }, 60_000);
});
