/**
 * Abuse scenario: ONE ordinary user fills every limit the API sets, for about two minutes, with the
 * data that costs the most in JSON (U+0001 is six bytes once escaped):
 *   - tasks with a 200-character title, 2,000-character description and error message, until the
 *     quota (403) or the write rate limit (429, waits Retry-After) stops it;
 *   - log entries of 2,000 such characters on many tasks, past the kept count;
 *   - sockets until the server refuses one (too-many-connections);
 *   - reconnects with old offsets after missing many large events, several at once.
 * Reports the largest response and event in bytes, and what each limit answered.
 *
 *   import scenario from './fill-limits.mjs'; await scenario.run({ baseUrl, log })
 *   node scripts/abuse/fill-limits.mjs http://127.0.0.1:3000      (standalone)
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { io } from 'socket.io-client';

const WORST = (length) => '\u0001'.repeat(length);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const scenario = {
  name: 'fill-limits',
  /**
   * @param {{ baseUrl: string, log?: (message: string) => void, durationMs?: number }} options
   * @returns {Promise<Record<string, number | string>>}
   */
  async run({ baseUrl, log = console.log, durationMs = 110_000 }) {
    const deadline = Date.now() + durationMs;
    const left = () => deadline - Date.now();
    const stats = {
      largestResponseBytes: 0,
      largestResponseRoute: '',
      largestEventBytes: 0,
      requests: 0,
      tasksCreated: 0,
      logEntriesAppended: 0,
      quotaRefusals: 0,
      rateLimited: 0,
      serverErrors: 0,
      socketsAdmitted: 0,
      socketRefusal: '',
      reconnects: 0,
      reconnectsRecovered: 0,
      eventsReplayed: 0,
    };

    let token = '';
    /** One request; waits out a 429 (Retry-After) while time is left. */
    async function call(method, path, body) {
      for (;;) {
        const res = await fetch(`${baseUrl}${path}`, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        stats.requests += 1;
        const bytes = Buffer.byteLength(text);
        if (bytes > stats.largestResponseBytes) {
          stats.largestResponseBytes = bytes;
          stats.largestResponseRoute = `${method} ${path.replace(/[0-9a-f-]{36}/g, ':id').split('?')[0]}`;
        }
        if (res.status >= 500) stats.serverErrors += 1;
        if (res.status === 429) {
          stats.rateLimited += 1;
          const wait = Number(res.headers.get('retry-after') ?? 1) * 1000;
          if (wait >= left()) return { status: 429, json: undefined };
          await sleep(wait);
          continue;
        }
        return { status: res.status, json: text ? JSON.parse(text) : undefined };
      }
    }

    const email = `abuse-${randomUUID()}@example.com`;
    const password = 'correct horse battery staple';
    const registered = await call('POST', '/api/auth/register', { email, password });
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    token = registered.json.accessToken;

    // Sockets first: they watch every event the rest sends.
    const sockets = [];
    const watch = (socket) =>
      socket.onAny((event, ...args) => {
        stats.largestEventBytes = Math.max(stats.largestEventBytes, Buffer.byteLength(JSON.stringify([event, ...args])));
      });
    const open = () =>
      new Promise((resolve) => {
        const socket = io(`${baseUrl}/tasks`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
        watch(socket);
        socket.once('connect', () => resolve({ socket, error: null }));
        socket.once('connect_error', (error) => {
          socket.close();
          resolve({ socket: null, error: error.message });
        });
      });
    for (let i = 0; i < 500; i++) {
      const { socket, error } = await open();
      if (!socket) {
        stats.socketRefusal = error;
        break;
      }
      sockets.push(socket);
    }
    stats.socketsAdmitted = sockets.length;
    log(`[fill-limits] ${sockets.length} sockets admitted, then: ${stats.socketRefusal || 'none refused'}`);

    // Tasks with worst-case fields, a few at a time, until a limit or a third of the time is used.
    const ids = [];
    const createUntil = Date.now() + durationMs / 3;
    while (Date.now() < createUntil) {
      const batch = await Promise.all(
        Array.from({ length: 5 }, () => call('POST', '/api/tasks', { title: WORST(200), description: WORST(2000), priority: 'URGENT' })),
      );
      for (const res of batch) {
        if (res.status === 201) ids.push(res.json.id);
        if (res.status === 403) stats.quotaRefusals += 1;
      }
      if (batch.some((res) => res.status !== 201)) break;
    }
    stats.tasksCreated = ids.length;
    // Some of them FAILED with the longest error message (the running cap allows 5 RUNNING at once).
    for (const id of ids.slice(0, 10)) {
      if (left() < durationMs / 2) break;
      await call('PATCH', `/api/tasks/${id}`, { status: 'RUNNING' });
      await call('PATCH', `/api/tasks/${id}`, { status: 'FAILED', errorMessage: WORST(2000) });
    }
    log(`[fill-limits] ${ids.length} worst-case tasks, ${stats.quotaRefusals} quota refusals, ${stats.rateLimited} rate-limited so far`);

    // Drop some sockets (keeping their offsets), then flood log entries on many tasks while they are away.
    const away = sockets.splice(0, Math.min(3, sockets.length));
    for (const socket of away) socket.io.engine.close();
    const targets = ids.slice(0, 20);
    let next = 0;
    while (left() > 15_000 && targets.length > 0) {
      const batch = await Promise.all(
        Array.from({ length: 5 }, () => call('POST', `/api/tasks/${targets[next++ % targets.length]}/logs`, { message: WORST(2000), level: 'error' })),
      );
      stats.logEntriesAppended += batch.filter((res) => res.status === 201).length;
      if (batch.every((res) => res.status === 429)) break;
    }
    log(`[fill-limits] ${stats.logEntriesAppended} log entries appended`);

    // Reconnect the dropped ones at once with their old offsets.
    const outcomes = await Promise.all(
      away.map(
        (socket) =>
          new Promise((resolve) => {
            let replayed = 0;
            socket.onAny(() => {
              replayed += 1;
            });
            socket.once('connect', () => setTimeout(() => resolve({ recovered: socket.recovered, replayed }), 1000));
            socket.once('connect_error', (error) => resolve({ recovered: false, replayed: 0, error: error.message }));
            socket.connect();
          }),
      ),
    );
    stats.reconnects = outcomes.length;
    stats.reconnectsRecovered = outcomes.filter((o) => o.recovered).length;
    stats.eventsReplayed = outcomes.reduce((sum, o) => sum + o.replayed, 0);
    sockets.push(...away);

    // The largest reads a user can ask for.
    await call('GET', '/api/tasks?limit=100');
    for (const id of targets.slice(0, 3)) {
      await call('GET', `/api/tasks/${id}`);
      await call('GET', `/api/tasks/${id}/logs?limit=200`);
    }
    for (const socket of sockets) socket.close();
    log(`[fill-limits] largest response ${stats.largestResponseBytes} B (${stats.largestResponseRoute}), largest event ${stats.largestEventBytes} B`);
    return stats;
  },
};

export default scenario;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const baseUrl = process.argv[2] ?? 'http://127.0.0.1:3000';
  const durationMs = Number(process.env.ABUSE_DURATION_MS ?? 110_000);
  const result = await scenario.run({ baseUrl, durationMs });
  console.log(JSON.stringify(result, null, 2));
}
