import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Task } from '@tasks/schemas';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChangesService } from '../../src/changes/changes.service.js';
import { CHANGES_CHANNEL } from '../../src/realtime/change-notifications.js';
import { newTask, newUser } from '../support/factories.js';
import { PrivatePostgres, sleep } from '../support/processes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api } from '../tasks/helpers.js';
import { connected, EventLog } from './socket-client.js';

/**
 * PostgreSQL holds one cluster-wide lock from a notifying transaction's commit until its commit is
 * durable, so commits that NOTIFY run one at a time. A private server whose commits can be made to
 * wait forever (for a synchronous standby that does not exist) holds that lock on purpose: a write
 * must still commit and answer, and its change be announced to the other instances once the lock
 * is free. Always a private server: the settings are server-wide.
 */
describe('change announcements to other instances (PostgreSQL notifications)', () => {
  let server: PrivatePostgres;
  let dataDir: string;
  let t: TestApp;
  let databaseUrl: string;

  beforeAll(async () => {
    server = await PrivatePostgres.create();
    await server.query(`ALTER SYSTEM SET synchronous_standby_names = 'nobody'`);
    // Only sessions that ask for `on` wait for the standby; the app's commits are durable locally.
    await server.query(`ALTER SYSTEM SET synchronous_commit = 'local'`);
    await server.query('SELECT pg_reload_conf()');
    databaseUrl = (await server.createDatabase()).url;
    dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-announce-'));
    t = await startTestApp({ database: { databaseUrl, dataDir, drop: async () => undefined } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
    await server?.dispose();
  }, 60_000);

  it('should commit and answer a write while another session holds the notification lock, then announce its change', async () => {
    const user = await newUser(t);
    const listener = new pg.Client({ connectionString: databaseUrl });
    const holder = new pg.Client({ connectionString: databaseUrl });
    await Promise.all([listener.connect(), holder.connect()]);
    const announced: string[] = [];
    listener.on('notification', (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload) announced.push(...message.payload.split(','));
    });
    await listener.query(`LISTEN ${CHANGES_CHANNEL}`);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    try {
      await holder.query('SET synchronous_commit = on');
      // A notifying transaction that writes (a notification alone makes no commit record to wait on).
      await holder.query('BEGIN');
      await holder.query('CREATE TEMP TABLE holder (x int)');
      await holder.query(`SELECT pg_notify('elsewhere', 'held')`);
      const held = holder.query('COMMIT').catch((error: unknown) => error);
      const waitEvent = async () =>
        (await listener.query<{ wait_event: string | null }>('SELECT wait_event FROM pg_stat_activity WHERE pid = $1', [holderPid])).rows[0]?.wait_event;
      await expect.poll(waitEvent, { timeout: 10_000, interval: 20 }).toBe('SyncRep');

      const created = await Promise.race([
        api<Task>(t, user, 'POST', '/api/tasks', { body: { title: 'while the lock is held' } }),
        sleep(15_000).then(() => 'still waiting for the lock' as const),
      ]);
      expect(created).not.toBe('still waiting for the lock');
      expect(created).toMatchObject({ status: 201, body: { title: 'while the lock is held' } });
      const listed = await api<{ items: Task[] }>(t, user, 'GET', '/api/tasks');
      expect(listed.body.items.map((task) => task.title)).toEqual(['while the lock is held']);

      // The announcement waited for the lock too: it goes out once the holder's commit ends.
      expect(announced).toEqual([]);
      await listener.query('SELECT pg_cancel_backend($1)', [holderPid]);
      await held;
      const { rows } = await listener.query<{ seq: string }>('SELECT change_seq::text AS seq FROM users WHERE id = $1', [user.id]);
      await expect.poll(() => announced, { timeout: 10_000 }).toContain(`${user.id}:${rows[0]!.seq}`);
    } finally {
      holder.on('error', () => undefined);
      await listener.query('SELECT pg_terminate_backend($1)', [holderPid]);
      await listener.end();
      await Promise.race([holder.end(), sleep(1_000)]);
    }
  }, 90_000);

  it('should announce the newest seq of every user, however many write at once', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser(t)));
    const listener = new pg.Client({ connectionString: databaseUrl });
    await listener.connect();
    const newest = new Map<string, number>();
    listener.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      for (const item of message.payload.split(',')) {
        const [userId, seq] = item.split(':');
        newest.set(userId!, Math.max(newest.get(userId!) ?? 0, Number(seq)));
      }
    });
    try {
      await listener.query(`LISTEN ${CHANGES_CHANNEL}`);
      const created = await Promise.all(
        users.flatMap((user) => Array.from({ length: 5 }, (_, i) => api(t, user, 'POST', '/api/tasks', { body: { title: `task ${i}` } }))),
      );
      expect(created.every((res) => res.status === 201)).toBe(true);
      const { rows } = await listener.query<{ id: string; seq: string }>(
        'SELECT id, change_seq::text AS seq FROM users WHERE id = ANY($1::uuid[])',
        [users.map((user) => user.id)],
      );
      const heads = new Map(rows.map((row) => [row.id, Number(row.seq)]));
      expect([...heads.values()]).toEqual(Array.from({ length: 10 }, () => 5));
      await expect.poll(() => new Map(users.map((user) => [user.id, newest.get(user.id)])), { timeout: 10_000 }).toEqual(heads);
    } finally {
      await listener.end();
    }
  }, 90_000);

  it("should ignore a malformed announcement and keep sending this instance's changes without reading the log", async () => {
    const user = await newUser(t);
    const socket = await connected(t.url, user.token);
    const log = new EventLog(socket);
    const sender = new pg.Client({ connectionString: databaseUrl });
    await sender.connect();
    try {
      await newTask(t, user);
      await log.until(1);
      // Whoever can connect can NOTIFY: a seq that is not a number must not unsettle the user's pump.
      for (const payload of [`${user.id}:abc`, `${user.id}:`, `${user.id}:1:2`, `${user.id}:-3`, 'garbage']) {
        await sender.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, payload]);
      }
      await sender.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, `${user.id}:1`]);
      await sleep(200);
      const reads = vi.spyOn(t.app.get(ChangesService, { strict: false }), 'changesAfter');
      try {
        const second = await newTask(t, user);
        await log.until(2);
        expect(log.events[1]).toEqual({ event: 'task:created', payload: second });
        expect(reads).not.toHaveBeenCalled();
      } finally {
        reads.mockRestore();
      }
    } finally {
      socket.disconnect();
      await sender.end();
    }
  }, 60_000);
});
