import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthResponse } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/databases.js';
import { call } from '../support/http-client.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { parsePrometheusText, valueOf } from '../support/prometheus-text.js';
import { ensureBuilt, freePort, spawnBackend } from '../foundation/support/backend-process.js';

/** The built server as deployed: `main.ts` starts the tracer before the app and flushes it on SIGTERM. */
describe('the built server with metrics and tracing on', { timeout: 120_000 }, () => {
  let receiver: OtlpReceiver;
  let database: ThrowawayDatabase;

  beforeAll(async () => {
    await ensureBuilt();
    receiver = await OtlpReceiver.start();
    database = await createThrowawayDatabase();
  }, 180_000);
  afterAll(async () => {
    await receiver.close();
    await database.drop();
  });

  it('should serve /metrics on its own port and export a request\'s spans before exiting 0 on SIGTERM', async () => {
    const metricsPort = await freePort();
    const backend = await spawnBackend({
      DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      JWT_SECRET: 'process-test-secret-long-enough-for-hs256-0123456789',
      LOG_LEVEL: 'info',
      METRICS_PORT: String(metricsPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
    try {
      await backend.ready();
      const registered = await call(backend.url, 'POST', '/api/auth/register', {
        body: { email: `proc-${randomUUID()}@example.com`, password: 'long-enough-password' },
      });
      expect(registered.status).toBe(201);
      const traceId = randomBytes(16).toString('hex');
      const created = await call(backend.url, 'POST', '/api/tasks', {
        token: (registered.body as AuthResponse).accessToken,
        body: { title: 'traced in a process' },
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      });
      expect(created.status).toBe(201);

      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      const samples = parsePrometheusText(await scrape.text());
      expect(valueOf(samples, 'http_requests_total', { route: '/api/tasks', status_code: '201' })).toBe(1);

      // Spans are batched for seconds; SIGTERM right away proves shutdown exports them.
      backend.child.kill('SIGTERM');
      expect(await backend.exited).toEqual({ code: 0, signal: null });
      const names = receiver.spans.filter((span) => span.traceId === traceId).map((span) => span.name);
      // No socket listens here, so there is no emit span (tracing.spec.ts covers it under a request).
      expect(names).toEqual(expect.arrayContaining(['POST /api/tasks', 'auth guard', 'INSERT']));
      expect(backend.logs().some((line) => line.msg === 'request completed' && line.traceId === traceId)).toBe(true);
    } finally {
      backend.kill();
    }
  });
});
