/**
 * Helpers shared by the scripts that run the BUILT backend as a child process (soak.mjs, abuse.mjs):
 * a free port, a throwaway PostgreSQL database, spawning `dist/main.js` on 127.0.0.1, waiting for
 * readiness, one JSON request, and the server's peak RSS.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE). */
async function onServer(serverUrl, sql) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database on `serverUrl` (a PostgreSQL URL) and its drop; undefined without a server (PGlite). */
export async function throwawayDatabase(serverUrl, prefix) {
  if (!serverUrl) return undefined;
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return { url: target.toString(), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * Spawns `node [nodeArgs] dist/main.js` on 127.0.0.1:`port` with exactly `env` (plus PATH, HOST, PORT).
 * Every output line goes to `onLine`; `exited` resolves with { code, signal }.
 */
export function spawnServer({ port, env, nodeArgs = [], onLine = () => {} }) {
  const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
    cwd: backendDir,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onOutput = (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) onLine(line);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

/**
 * The `start` script of package.json split into its environment and Node options, e.g.
 * `{ env: { MALLOC_MMAP_THRESHOLD_: '131072' }, nodeArgs: ['--max-old-space-size=384'] }`, so that a
 * measurement runs the server exactly as production starts it.
 */
export function startCommand() {
  const { scripts } = JSON.parse(readFileSync(path.join(backendDir, 'package.json'), 'utf8'));
  const words = scripts.start.trim().split(/\s+/);
  const env = {};
  while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift().split('=');
    env[name] = value.join('=');
  }
  if (words.shift() !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`unexpected start script: ${scripts.start}`);
  return { env, nodeArgs: words.slice(0, -1) };
}

/** One request; the body parsed when it is JSON. */
export async function request(baseUrl, method, route, { token, body, headers = {}, timeoutMs = 30_000 } = {}) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
  };
}

/** Resolves once /api/health/ready answers 200; throws after a minute or when the server exits. */
export async function waitReady(baseUrl, recentLog = () => '') {
  for (let i = 0; ; i += 1) {
    try {
      if ((await request(baseUrl, 'GET', '/api/health/ready')).status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (i > 600) throw new Error(`server did not become ready:\n${recentLog()}`);
    await sleep(100);
  }
}

/** Peak resident set size of a live process in bytes (VmHWM), from /proc. */
export function peakRssBytes(pid) {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : undefined;
}
