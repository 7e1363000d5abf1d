import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/database/migrator.js';
import { createPostgresDatabase, usePostgresServer } from '../support/databases.js';
import { call, registerAccount, type Account } from '../support/http-client.js';
import { ensureBuilt, runTool, spawnBackend, type BackendProcess } from './support/backend-process.js';

type Json = Record<string, unknown>;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const ok = (status: number, expected: number, what: string) => {
  if (status !== expected) throw new Error(`${what} answered ${status}`);
};

// The export side runs on the embedded database, the import side on PostgreSQL (the DATABASE_URL
// server, or a private one in the embedded run): every child gets exactly the env given here.
describe('moving from the embedded database to PostgreSQL', { timeout: 240_000 }, () => {
  const serverUrl = usePostgresServer();
  const cleanups: (() => Promise<void> | void)[] = [];
  const fixtureDirs: string[] = [];
  let dataDir: string;
  let dump: string;
  let alice: Account;
  let bob: Account;
  let revokedToken: string;
  /** What the embedded server answered before the export, per request path and token. */
  const before = new Map<string, { status: number; body: unknown; etag: string | null }>();
  const reads: { label: string; path: string; token: () => string }[] = [];

  const spawn = async (env: Record<string, string>) => {
    const backend = await spawnBackend({ LOG_LEVEL: 'info', ...env });
    cleanups.push(async () => {
      backend.kill();
      await backend.exited;
    });
    await backend.ready();
    return backend;
  };
  const snapshot = async (backend: BackendProcess) => {
    const answers = new Map<string, { status: number; body: unknown; etag: string | null }>();
    for (const read of reads) {
      const res = await call(backend.url, 'GET', read.path, { token: read.token() });
      // A problem's requestId names the request, not the data.
      const { requestId: _requestId, ...body } = (res.body ?? {}) as Json;
      answers.set(read.label, { status: res.status, body, etag: res.headers.get('etag') });
    }
    return answers;
  };
  const newDatabase = async () => {
    const db = await createPostgresDatabase('tasks_import', serverUrl());
    cleanups.push(() => db.drop());
    return db;
  };

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-export-'));
    fixtureDirs.push(dataDir);
    // No JWT_SECRET: the generated one in DATA_DIR signs the tokens, as on a laptop.
    const embedded = await spawn({ DATA_DIR: dataDir });
    alice = await registerAccount(embedded.url, 'alice');
    bob = await registerAccount(embedded.url, 'bob');
    const ids: string[] = [];
    const create = async (account: Account, body: Json, steps: Json[] = []) => {
      const created = await call(embedded.url, 'POST', '/api/tasks', { token: account.token, body });
      ok(created.status, 201, 'create');
      const id = (created.body as { id: string }).id;
      for (const step of steps) ok((await call(embedded.url, 'PATCH', `/api/tasks/${id}`, { token: account.token, body: step })).status, 200, 'patch');
      ids.push(id);
      return id;
    };
    const pending = await create(alice, { title: 'pending, with logs', description: "it's; -- quoted\nline two", priority: 'HIGH' });
    for (const message of ['first entry', 'second; entry']) {
      ok((await call(embedded.url, 'POST', `/api/tasks/${pending}/logs`, { token: alice.token, body: { message, level: 'warn' } })).status, 201, 'log');
    }
    await create(alice, { title: 'running' }, [{ status: 'RUNNING' }]);
    await create(alice, { title: 'completed', priority: 'LOW' }, [{ status: 'COMPLETED' }]);
    await create(alice, { title: 'failed' }, [{ status: 'RUNNING' }, { status: 'FAILED', errorMessage: 'disk full' }]);
    await create(alice, { title: 'cancelled', priority: 'URGENT' }, [{ status: 'CANCELLED' }]);
    const deleted = await create(alice, { title: 'deleted' });
    ok((await call(embedded.url, 'DELETE', `/api/tasks/${deleted}`, { token: alice.token })).status, 204, 'delete');
    await create(bob, { title: "bob's task" });
    const login = await call(embedded.url, 'POST', '/api/auth/login', { body: { email: alice.email, password: alice.password } });
    ok(login.status, 200, 'login');
    revokedToken = (login.body as { accessToken: string }).accessToken;
    ok((await call(embedded.url, 'POST', '/api/auth/logout', { token: revokedToken })).status, 204, 'logout');

    reads.push(
      { label: 'alice list', path: '/api/tasks?limit=100&sort=createdAt', token: () => alice.token },
      { label: 'bob list', path: '/api/tasks?limit=100', token: () => bob.token },
      { label: 'revoked', path: '/api/tasks', token: () => revokedToken },
      { label: 'alice me', path: '/api/auth/me', token: () => alice.token },
      ...ids.map((id) => ({ label: `task ${id}`, path: `/api/tasks/${id}`, token: () => alice.token })),
    );
    for (const [label, answer] of await snapshot(embedded)) before.set(label, answer);
    embedded.child.kill('SIGTERM');
    ok((await embedded.exited).code ?? -1, 0, 'embedded server exit');

    dump = path.join(mkdtempSync(path.join(tmpdir(), 'tasks-dump-')), 'tasks.sql');
    fixtureDirs.push(path.dirname(dump));
    const exported = await runTool('export', [dump], { DATA_DIR: dataDir });
    if (exported.code !== 0) throw new Error(`export failed:\n${exported.output}`);
  }, 240_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => {
    for (const dir of fixtureDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('should answer the same on PostgreSQL after export and import: tasks and versions, logins, old and revoked tokens', async () => {
    expect(readFileSync(dump, 'utf8')).toContain('PostgreSQL database dump');
    const db = await newDatabase();

    const imported = await runTool('import', [dump], { DATABASE_URL: db.url });

    expect(imported.code, imported.output).toBe(0);
    expect(imported.output).toContain('Imported');
    const recorded = await query<{ migration_name: string }>(db.url, `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY 1`);
    expect(recorded.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name));
    // The same DATA_DIR keeps the generated JWT secret; the database is PostgreSQL now.
    const moved = await spawn({ DATA_DIR: dataDir, DATABASE_URL: db.url });
    expect(moved.logs().some((l) => String(l.msg).startsWith('Using PostgreSQL at'))).toBe(true);
    expect(moved.logs().some((l) => String(l.msg).startsWith('Applied migration'))).toBe(false);
    const after = await snapshot(moved);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
    expect(before.get('revoked')?.status).toBe(401);
    expect((before.get('alice list')?.body as { items: Json[] }).items.map((t) => t.status)).toEqual(['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);
    for (const account of [alice, bob]) {
      const login = await call(moved.url, 'POST', '/api/auth/login', { body: { email: account.email, password: account.password } });
      expect(login.status).toBe(200);
    }
    const wrong = await call(moved.url, 'POST', '/api/auth/login', { body: { email: alice.email, password: 'not the password' } });
    expect(wrong.status).toBe(401);
  });

  it('should accept a database that was migrated but never used', async () => {
    const db = await newDatabase();
    expect((await runTool('migrate', [], { DATABASE_URL: db.url })).code).toBe(0);

    const imported = await runTool('import', [dump], { DATABASE_URL: db.url });

    expect(imported.code, imported.output).toBe(0);
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 2 }]);
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM tasks')).toEqual([{ n: 7 }]);
  });

  it('should refuse to import into a database that has data, changing nothing', async () => {
    const db = await newDatabase();
    expect((await runTool('import', [dump], { DATABASE_URL: db.url })).code).toBe(0);
    const counts = `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM tasks)::int AS tasks,
                           (SELECT count(*) FROM "_prisma_migrations")::int AS migrations`;
    const populated = await query(db.url, counts);

    const again = await runTool('import', [dump], { DATABASE_URL: db.url });

    expect(again.code).toBe(1);
    expect(again.output).toContain('The database already has data (rows in');
    expect(again.output).toContain('Nothing was changed');
    expect(await query(db.url, counts)).toEqual(populated);

    const other = await newDatabase();
    await query(other.url, 'CREATE TABLE notes (body text); INSERT INTO notes VALUES ($$keep me$$)');
    const refused = await runTool('import', [dump], { DATABASE_URL: other.url });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('rows in notes');
    expect(await query(other.url, `SELECT to_regclass('public.users') AS users, (SELECT body FROM notes) AS body`)).toEqual([{ users: null, body: 'keep me' }]);
  });

  it('should refuse without DATABASE_URL, and refuse to overwrite an existing export', async () => {
    const noTarget = await runTool('import', [dump], { DATA_DIR: dataDir });
    const overwrite = await runTool('export', [dump], { DATA_DIR: dataDir });

    expect(noTarget.code).toBe(1);
    expect(noTarget.output).toContain('Set DATABASE_URL to the empty PostgreSQL database to import into');
    expect(overwrite.code).toBe(1);
    expect(overwrite.output).toContain(`${dump} already exists`);
    expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
  });
});
