/**
 * The login flood's probes, run in a worker thread: a static file, a task read and a real user's
 * login, each in its own sequential loop. Their own event loop keeps the 48 attackers' responses,
 * handled on the main thread, out of the latencies they measure (only the server and the shared
 * CPU are). workerData: { baseUrl, user, taskId, hasUi, ms }; posts [static, task, login] latencies.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { request, sleep } from '../../backend-server.mjs';
import { login } from './stats.mjs';

const { baseUrl, user, taskId, hasUi, ms } = workerData;
const until = Date.now() + ms;

/** Sequential requests until `until`; the latencies in ms of those answered 2xx/3xx. */
async function probe(send, pauseMs = 0) {
  const latencies = [];
  while (Date.now() < until) {
    const started = performance.now();
    const status = await send();
    if (status >= 200 && status < 400) latencies.push(performance.now() - started);
    if (pauseMs) await sleep(pauseMs);
  }
  return latencies;
}

const staticFile = () => request(baseUrl, 'GET', '/', { headers: { accept: 'text/html' } }).then((r) => r.status, () => 0);
const taskRead = () => request(baseUrl, 'GET', `/api/tasks/${taskId}`, { token: user.token }).then((r) => r.status, () => 0);
const userLogin = () => login(baseUrl, user.email, user.password).then((status) => (typeof status === 'number' ? status : 0));

parentPort.postMessage(await Promise.all([hasUi ? probe(staticFile) : [], probe(taskRead), probe(userLogin, 250)]));
