/** Small helpers shared by the abuse scenarios (abuse.mjs runs only the .mjs files directly in scripts/abuse). */
import { randomUUID } from 'node:crypto';
import { request } from '../../backend-server.mjs';

/** The q-quantile (0–1) of `values` in ms, rounded to 0.1. */
export function quantile(values, q) {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 10) / 10;
}

export function tally(statuses) {
  const counts = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return Object.entries(counts)
    .map(([status, n]) => `${n}×${status}`)
    .join(' ');
}

/** Registers a fresh user; { email, password, token }. */
export async function registerUser(baseUrl) {
  const email = `abuse-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const res = await request(baseUrl, 'POST', '/api/auth/register', { body: { email, password } });
  if (res.status !== 201) throw new Error(`register answered ${res.status}`);
  return { email, password, token: res.json.accessToken };
}

export const login = (baseUrl, email, password, headers = {}) =>
  request(baseUrl, 'POST', '/api/auth/login', { body: { email, password }, headers, timeoutMs: 60_000 }).then(
    (res) => res.status,
    () => 'no answer',
  );
