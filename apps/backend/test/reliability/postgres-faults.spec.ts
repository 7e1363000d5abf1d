import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, registerAccount, type Account } from '../support/http-client.js';
import { PrivatePostgres, sleep, startBackend, type BackendProcess } from '../support/processes.js';
import { checkWrites, runWriteLoad, tally, type WriteRecord } from './load.js';

/**
 * PostgreSQL faults under write load, against the built backend on a private PostgreSQL server
 * (the shared one on 5432 is never touched).
 */
describe('PostgreSQL faults', () => {
  let server: PrivatePostgres;
  let database: { name: string; url: string };
  let backend: BackendProcess;
  let accounts: Account[];

  beforeAll(async () => {
    server = await PrivatePostgres.create();
    database = await server.createDatabase();
    backend = await startBackend({
      databaseUrl: database.url,
      env: { DATABASE_POOL_SIZE: '4', AUTH_RATE_LIMIT_REGISTER: '1000', TASKS_WRITE_RATE_LIMIT: '1000000' },
    });
    accounts = [await registerAccount(backend.url, 'pg-a'), await registerAccount(backend.url, 'pg-b')];
  }, 180_000);

  afterAll(async () => {
    await backend?.stop();
    await server?.dispose();
  });

  async function verify(records: WriteRecord[]) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return await checkWrites(client, records);
    } finally {
      await client.end();
    }
  }

  function expectOnlySuccessOr503(records: WriteRecord[]) {
    for (const record of records) {
      expect(record.outcome.kind, `${record.op} ${record.marker}`).toBe('status');
      if (record.outcome.kind !== 'status') continue;
      if (record.outcome.status >= 300) {
        expect(record.outcome.status, `${record.op} ${record.marker}`).toBe(503);
        expect(record.outcome.problem).toBe(true);
      }
    }
  }

  async function waitUntilWritesSucceed(account: Account): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await call(backend.url, 'POST', '/api/tasks', { token: account.token, body: { title: 'recovery probe' } });
      if (response.status === 201) return;
      if (Date.now() > deadline) throw new Error(`no recovery: last answer ${response.status}`);
      await sleep(250);
    }
  }

  it('should answer 503 problems during a server restart, recover by itself and lose no acknowledged write when PostgreSQL stops under load', async () => {
    let stop = false;
    const load = runWriteLoad({ url: () => backend.url, accounts, workers: 4, shouldStop: () => stop, pauseMs: 10 });
    await sleep(1_500);

    await server.stop('fast');
    const outageStarted = Date.now();
    await sleep(1_000);
    const readyDuringOutage = await call(backend.url, 'GET', '/api/health/ready');
    const liveDuringOutage = await call(backend.url, 'GET', '/api/health/live');
    await sleep(2_000);
    // The outage window ends when the restart begins (the server may accept before start() returns).
    const outageEnded = Date.now();
    await server.start();

    await waitUntilWritesSucceed(accounts[0]!);
    const recoveredAt = Date.now();
    await sleep(1_500);
    stop = true;
    const records = await load;

    expect(readyDuringOutage.status).toBe(503);
    expect(readyDuringOutage.body).toMatchObject({ status: 'unavailable', checks: { database: 'down' } });
    expect(liveDuringOutage.status).toBe(200);
    expectOnlySuccessOr503(records);
    const during = records.filter((r) => r.startedAt >= outageStarted + 200 && r.endedAt <= outageEnded);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((r) => r.outcome.kind === 'status' && r.outcome.status === 503)).toBe(true);
    // Once one write succeeds again, all do: no lingering broken connections in the pool.
    expect(records.filter((r) => r.startedAt > recoveredAt).every((r) => r.outcome.kind === 'status' && r.outcome.status < 300)).toBe(true);

    const check = await verify(records);
    expect(check.problems).toEqual([]);
    expect(check.acknowledged).toBeGreaterThan(10);
    expect(backend.child.exitCode).toBeNull();
    expect((await call(backend.url, 'GET', '/api/health/ready')).status).toBe(200);
    console.info('[reliability] postgres restart', JSON.stringify({ outcomes: tally(records), ...check, problems: check.problems.length }));
  }, 120_000);

  it('should answer only successes or 503 problems and recover by itself when every server connection is terminated repeatedly under load', async () => {
    let stop = false;
    const load = runWriteLoad({ url: () => backend.url, accounts, workers: 4, shouldStop: () => stop, pauseMs: 5 });
    await sleep(1_000);
    let terminated = 0;
    for (let round = 0; round < 5; round += 1) {
      terminated += await server.terminateBackends(database.name);
      await sleep(400);
    }
    await waitUntilWritesSucceed(accounts[1]!);
    await sleep(1_000);
    stop = true;
    const records = await load;

    expect(terminated).toBeGreaterThan(0);
    expectOnlySuccessOr503(records);
    const check = await verify(records);
    expect(check.problems).toEqual([]);
    expect(backend.child.exitCode).toBeNull();
    expect((await call(backend.url, 'GET', '/api/health/ready')).status).toBe(200);
    console.info('[reliability] pg_terminate_backend', JSON.stringify({ terminated, outcomes: tally(records), ...check, problems: check.problems.length }));
  }, 120_000);
});
