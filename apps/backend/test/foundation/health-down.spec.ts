import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE } from '../../src/database/database.module.js';
import type { Database } from '../../src/database/database.js';
import { serverUrl, usingPostgres } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** PostgreSQL: the app's database is dropped under it (its connections terminated); PGlite: closed. */
async function takeDatabaseDown(t: TestApp): Promise<void> {
  if (!usingPostgres) {
    await t.app.get<Database>(DATABASE).close();
    return;
  }
  const name = new URL(t.config.databaseUrl!).pathname.slice(1);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

describe('health when the database is down', { timeout: 90_000 }, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('should answer ready with 503 and the database down, promptly, when the database is gone', async () => {
    t = await startTestApp();
    expect((await fetch(`${t.url}/api/health/ready`)).status).toBe(200);

    await takeDatabaseDown(t);

    // The abort makes a hang fail the test instead of stalling it.
    const res = await fetch(`${t.url}/api/health/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { database: 'down' } });
    // Liveness does not depend on the database.
    expect((await fetch(`${t.url}/api/health/live`)).status).toBe(200);
  });

  it('should answer a route that needs the database with a 503 problem, not a 500, when the database is gone', async () => {
    t = await startTestApp();
    await takeDatabaseDown(t);

    const res = await fetch(`${t.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'down@example.com', password: 'correct horse battery staple' }),
      signal: AbortSignal.timeout(15_000),
    });

    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.headers.get('retry-after')).toBe('1');
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toBe('The database is not answering; try again shortly.');
  });
});
