/**
 * Issue 12 item 3: static files and task reads keep their latency while 48 concurrent attackers
 * send logins with ever-new emails from ever-new addresses (a distributed flood that every
 * per-address limit lets through to argon2; TRUST_PROXY=1, this script plays the proxy).
 */
import { request, sleep } from '../backend-server.mjs';
import { login, quantile, registerUser, tally } from './support/stats.mjs';

const ATTACKERS = Number(process.env.ABUSE_FLOOD_ATTACKERS ?? 48);
const PHASE_MS = Number(process.env.ABUSE_FLOOD_SECONDS ?? 15) * 1000;

/** Sequential requests until `until`; their latencies in ms. */
async function probe(until, send) {
  const latencies = [];
  while (Date.now() < until) {
    const started = performance.now();
    const status = await send();
    if (status >= 200 && status < 400) latencies.push(performance.now() - started);
  }
  return latencies;
}

export default {
  name: 'login-flood',
  env: { TRUST_PROXY: '1' },
  async run({ baseUrl, log }) {
    const user = await registerUser(baseUrl);
    const task = await request(baseUrl, 'POST', '/api/tasks', { token: user.token, body: { title: 'flood probe' } });
    if (task.status !== 201) throw new Error(`task create answered ${task.status}`);
    const hasUi = (await request(baseUrl, 'GET', '/', { headers: { accept: 'text/html' } })).status === 200;
    const staticFile = () => request(baseUrl, 'GET', '/', { headers: { accept: 'text/html' } }).then((r) => r.status, () => 0);
    const taskRead = () => request(baseUrl, 'GET', `/api/tasks/${task.json.id}`, { token: user.token }).then((r) => r.status, () => 0);
    const userLogin = async (until) => {
      const latencies = [];
      while (Date.now() < until) {
        const started = performance.now();
        if ((await login(baseUrl, user.email, user.password)) === 200) latencies.push(performance.now() - started);
        await sleep(250);
      }
      return latencies;
    };
    const measure = (until) => Promise.all([hasUi ? probe(until, staticFile) : Promise.resolve([]), probe(until, taskRead), userLogin(until)]);

    const [staticQuiet, taskQuiet, loginQuiet] = await measure(Date.now() + PHASE_MS);
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
    const [[staticFlood, taskFlood, loginFlood]] = await Promise.all([measure(until), ...Array.from({ length: ATTACKERS }, attacker)]);
    log(`flood: ${attacks.length} attacker logins (${tally(attacks)}), ${staticFlood.length} static, ${taskFlood.length} task reads`);

    return {
      'static GET / p99 ms, quiet': hasUi ? quantile(staticQuiet, 0.99) : 'no web UI built',
      'static GET / p99 ms, under flood': hasUi ? quantile(staticFlood, 0.99) : 'no web UI built',
      'GET /api/tasks/:id p99 ms, quiet': quantile(taskQuiet, 0.99),
      'GET /api/tasks/:id p99 ms, under flood': quantile(taskFlood, 0.99),
      'real user login p50 / max ms, quiet': `${quantile(loginQuiet, 0.5)} / ${quantile(loginQuiet, 1)}`,
      'real user login p50 / max ms, under flood': `${quantile(loginFlood, 0.5)} / ${quantile(loginFlood, 1)}`,
      [`attacker logins in ${PHASE_MS / 1000}s (${ATTACKERS} concurrent)`]: tally(attacks),
    };
  },
};
