import { connect as tcpConnect } from 'node:net';
import type { Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsServer } from '../../src/metrics/metrics.server.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { connected } from '../realtime/socket-client.js';
import { newUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { parsePrometheusText, type Sample, valueOf } from '../support/prometheus-text.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function metricsUrl(t: TestApp): string {
  const address = t.app.get(MetricsServer).address();
  if (!address) throw new Error('the metrics server is not listening');
  return `http://127.0.0.1:${address.port}/metrics`;
}

async function scrape(t: TestApp): Promise<Sample[]> {
  const response = await fetch(metricsUrl(t));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

/** Scrapes until `check` holds (gauges read at scrape time follow disconnects a moment later). */
async function scrapeUntil(t: TestApp, check: (samples: Sample[]) => boolean): Promise<Sample[]> {
  for (let attempt = 0; ; attempt++) {
    const samples = await scrape(t);
    if (check(samples) || attempt === 50) return samples;
    await sleep(100);
  }
}

describe('Prometheus metrics on METRICS_PORT', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Two failed logins allowed, so the third is a rate-limit rejection.
    t = await startTestApp({ env: { METRICS_PORT: '0', AUTH_RATE_LIMIT_LOGIN: '2' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('should answer valid exposition text whose series move as requests, sockets and events happen', async () => {
    const before = await scrape(t);
    const owner = await newUser(t);
    const socket = await connected(t.url, owner.token);
    const created = await call(t.url, 'POST', '/api/tasks', { token: owner.token, body: { title: 'count me' } });
    expect(created.status).toBe(201);
    const id = (created.body as Task).id;
    expect((await call(t.url, 'GET', `/api/tasks/${id}`, { token: owner.token })).status).toBe(200);
    expect((await call(t.url, 'GET', `/api/no-such-route/${id}`)).status).toBe(404);
    for (let i = 0; i < 3; i++) {
      await call(t.url, 'POST', '/api/auth/login', { body: { email: owner.email, password: 'wrong-password' } });
    }

    const during = await scrapeUntil(t, (s) => valueOf(s, 'socketio_connected_sockets') === 1);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      valueOf(during, name, labels) - valueOf(before, name, labels);
    expect(delta('http_requests_total', { method: 'POST', route: '/api/tasks', status_code: '201' })).toBe(1);
    expect(delta('http_requests_total', { method: 'GET', route: '/api/tasks/:id', status_code: '200' })).toBe(1);
    expect(delta('http_requests_total', { route: 'unmatched', status_code: '404' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: '/api/tasks/:id' })).toBe(1);
    expect(delta('http_requests_total', { route: '/api/auth/login', status_code: '429' })).toBe(1);
    expect(delta('rate_limit_rejections_total', { limiter: 'auth_login' })).toBe(1);
    // The scrape itself is on another server: the API's in-flight gauge is back to zero.
    expect(valueOf(during, 'http_requests_in_flight')).toBe(0);
    expect(valueOf(during, 'socketio_connected_sockets')).toBe(1);
    expect(delta('socketio_events_emitted_total', { event: 'task:created' })).toBe(1);
    expect(delta('tasks_change_delivery_lag_seconds_count')).toBe(1);
    expect(delta('db_query_duration_seconds_count')).toBeGreaterThan(0);
    expect(valueOf(during, 'password_hash_in_flight')).toBe(0);
    expect(during.some((s) => s.name === 'password_hash_queue_depth')).toBe(true);
    expect(during.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(during.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
    const poolSeries = during.filter((s) => s.name.startsWith('db_pool_')).map((s) => s.name).sort();
    expect(poolSeries).toEqual(
      t.config.databaseUrl ? ['db_pool_connections', 'db_pool_idle_connections', 'db_pool_waiting_requests'] : [],
    );

    socket.disconnect();
    const after = await scrapeUntil(t, (s) => valueOf(s, 'socketio_connected_sockets') === 0);
    expect(valueOf(after, 'socketio_connected_sockets')).toBe(0);
  });

  it('should hold no id, email or raw URL in any label value', async () => {
    const owner = await newUser(t);
    const task = await call(t.url, 'POST', '/api/tasks', { token: owner.token, body: { title: 'label me' } });
    const id = (task.body as Task).id;
    await call(t.url, 'GET', `/api/tasks/${id}?x=${encodeURIComponent(owner.email)}`, { token: owner.token });
    await call(t.url, 'GET', `/${owner.email}`);
    const values = (await scrape(t)).flatMap((s) => Object.values(s.labels));
    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((value) => UUID.test(value) || EMAIL.test(value) || value.includes('?'))).toEqual([]);
  });

  it('should leave /metrics off the API port', async () => {
    const api = await call(t.url, 'GET', '/api/metrics');
    expect(api.status).toBe(404);
    expect(api.contentType).toContain('application/problem+json');
    // Outside /api the web UI (when built) answers its page, never the exposition.
    const root = await call(t.url, 'GET', '/metrics');
    expect([200, 404]).toContain(root.status);
    expect(root.contentType).not.toContain('text/plain');
    expect(root.text).not.toContain('http_requests_total');
  });
});

describe('metrics lifecycle', () => {
  it('should start no metrics server and count nothing when METRICS_PORT is unset', async () => {
    const t = await startTestApp();
    try {
      expect(t.app.get(MetricsServer).address()).toBeUndefined();
      const metrics = t.app.get(Metrics);
      expect(metrics.enabled).toBe(false);
      await call(t.url, 'GET', '/api/health/live');
      expect(valueOf(parsePrometheusText(await metrics.scrape()), 'http_requests_total')).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('should close the metrics port when the application closes', async () => {
    const t = await startTestApp({ env: { METRICS_PORT: '0' } });
    const url = metricsUrl(t);
    const port = Number(new URL(url).port);
    expect((await fetch(url)).status).toBe(200);
    await t.close();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
