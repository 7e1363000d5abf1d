/**
 * Helpers shared by the scripts that run the BUILT backend as a child process (soak.mjs, abuse.mjs):
 * `dist/main.js` started as `pnpm start` starts it, and the server's peak RSS; the launcher and the
 * throwaway database come from @tasks/testkit (built before: `pnpm soak` and `pnpm abuse` build first),
 * requests from @tasks/api-client.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '@tasks/api-client';
import { createPostgresDatabase, spawnBackend, startCommand as testkitStartCommand } from '@tasks/testkit';

export const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh database on `serverUrl` (a PostgreSQL URL) and its drop; undefined without a server (PGlite). */
export async function throwawayDatabase(serverUrl, prefix) {
  return serverUrl ? createPostgresDatabase(serverUrl, prefix) : undefined;
}

/**
 * Starts `node [nodeArgs] main` (default dist/main.js; testkit's launcher) on 127.0.0.1 and a free port with exactly
 * `env` (plus PATH); every output line goes to `onLine`. Resolves with the process, not yet ready.
 */
export function spawnServer({ env, nodeArgs = [], main = 'dist/main.js', onLine }) {
  return spawnBackend({ main, cwd: backendDir, env, nodeArgs, onLine });
}

/** The `start` script taken apart ({ env, nodeArgs, main }), so a measurement runs the server as production starts it. */
export const startCommand = () => testkitStartCommand(backendDir);

/** One request through the API client's raw side; the body parsed when it is JSON. */
export async function request(baseUrl, method, route, { token, body, headers = {}, timeoutMs = 30_000 } = {}) {
  const exchange = await rawRequest(baseUrl, method, route, { token: token || undefined, body: body || undefined, headers, timeoutMs });
  return { status: exchange.status, headers: exchange.headers, json: exchange.body };
}

/** Resolves once the server's /api/health/ready answers 200; throws after a minute, or as soon as it exits. */
export async function waitReady(server, recentLog = () => '') {
  await server.ready('ready', 60_000).catch((error) => {
    throw new Error(`server did not become ready: ${error.message}\n${recentLog()}`);
  });
}

/** Peak resident set size of a live process in bytes (VmHWM), from /proc. */
export function peakRssBytes(pid) {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : undefined;
}
