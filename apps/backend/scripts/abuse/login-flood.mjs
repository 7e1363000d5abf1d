/**
 * Issue 12 item 3: static files and task reads keep their latency while 48 concurrent attackers
 * send logins with ever-new emails from ever-new addresses (a distributed flood that every
 * per-address limit lets through to argon2; TRUST_PROXY=1, this script plays the proxy).
 */
import { Worker } from 'node:worker_threads';
import { request } from '../backend-server.mjs';
import { login, quantile, registerUser, tally } from './support/stats.mjs';

const ATTACKERS = Number(process.env.ABUSE_FLOOD_ATTACKERS ?? 48);
const PHASE_MS = Number(process.env.ABUSE_FLOOD_SECONDS ?? 15) * 1000;

/** The probes' latencies over `ms` ([static, task read, user login]), measured in a worker thread. */
function probes(workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./support/flood-probes.mjs', import.meta.url), { workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

export default {
  name: 'login-flood',
  env: { TRUST_PROXY: '1' },
  async run({ baseUrl, log }) {
    const user = await registerUser(baseUrl);
    const task = await request(baseUrl, 'POST', '/api/tasks', { token: user.token, body: { title: 'flood probe' } });
    if (task.status !== 201) throw new Error(`task create answered ${task.status}`);
    const hasUi = (await request(baseUrl, 'GET', '/', { headers: { accept: 'text/html' } })).status === 200;
    const measure = (ms) => probes({ baseUrl, user, taskId: task.json.id, hasUi, ms });

    const [staticQuiet, taskQuiet, loginQuiet] = await measure(PHASE_MS);
    log(`quiet: ${staticQuiet.length} static, ${taskQuiet.length} task reads`);

    const until = Date.now() + PHASE_MS;
    const attacks = [];
    let n = 0;
    const attacker = async () => {
      while (Date.now() < until) {
        n += 1;
        const address = `198.18.${(n >> 8) & 255}.${n & 255}`;
        attacks.push(await login(baseUrl, `victim-${n}@example.com`, 'guess-password', { 'x-forwarded-for': address }));
      }
    };
    // The load generator shares the machine's cores with the server: its own CPU use is part of the figure.
    const cpuBefore = process.cpuUsage();
    const [[staticFlood, taskFlood, loginFlood]] = await Promise.all([measure(PHASE_MS), ...Array.from({ length: ATTACKERS }, attacker)]);
    const { user: cpuUser, system: cpuSystem } = process.cpuUsage(cpuBefore);
    const loadCores = Math.round(((cpuUser + cpuSystem) / 1000 / PHASE_MS) * 100) / 100;
    log(`flood: ${attacks.length} attacker logins (${tally(attacks)}), ${staticFlood.length} static, ${taskFlood.length} task reads`);

    return {
      'static GET / p99 ms, quiet': hasUi ? quantile(staticQuiet, 0.99) : 'no web UI built',
      'static GET / p99 ms, under flood': hasUi ? quantile(staticFlood, 0.99) : 'no web UI built',
      'GET /api/tasks/:id p99 ms, quiet': quantile(taskQuiet, 0.99),
      'GET /api/tasks/:id p99 ms, under flood': quantile(taskFlood, 0.99),
      'real user login p50 / max ms, quiet': `${quantile(loginQuiet, 0.5)} / ${quantile(loginQuiet, 1)}`,
      'real user login p50 / max ms, under flood': `${quantile(loginFlood, 0.5)} / ${quantile(loginFlood, 1)}`,
      [`attacker logins in ${PHASE_MS / 1000}s (${ATTACKERS} concurrent)`]: tally(attacks),
      'load generator CPU under flood (cores)': loadCores,
    };
  },
};
