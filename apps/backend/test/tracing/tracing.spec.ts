import { randomBytes } from 'node:crypto';
import { Controller, Get, Logger, Module } from '@nestjs/common';
import { problemSchema, type Task } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config.js';
import { flushTracing, startTracing, stopTracing } from '../../src/tracing/tracing.js';
import { newUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { connected, EventLog } from '../realtime/socket-client.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

@Controller('trace-probe')
class TraceProbeController {
  @Get('boom')
  boom(): never {
    new Logger('TraceProbe').warn('probe about to fail');
    throw new Error('probe failure');
  }
}

@Module({ controllers: [TraceProbeController] })
class TraceProbeModule {}

const REDIS_URL = process.env.REDIS_URL;
const SERVER = 2;
const CLIENT = 3;

/** A caller's W3C trace context: a fresh trace id and the caller's own span id. */
function callerContext(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

describe('OpenTelemetry tracing (OTLP/HTTP JSON to an in-process receiver)', () => {
  let receiver: OtlpReceiver;
  let t: TestApp;

  async function spansOf(traceId: string, until: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
    for (let attempt = 0; attempt < 50; attempt++) {
      await flushTracing();
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      if (until(spans)) return spans;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return receiver.spans.filter((span) => span.traceId === traceId);
  }

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const env: Record<string, string> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SERVICE_NAME: 'tasks-api-test',
      // With Redis, the Socket.IO broadcast goes through the Redis streams adapter.
      ...(REDIS_URL ? { REDIS_URL } : {}),
    };
    // As main.ts does: the tracer exists before the app is built.
    startTracing(loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, ...env }));
    t = await startTestApp({ env, imports: [TraceProbeModule] });
  });
  afterAll(async () => {
    await t.close();
    await stopTracing();
    await receiver.close();
  });

  it('should continue the caller\'s trace with request → guard, request → SQL and request → emit spans', async () => {
    const owner = await newUser(t);
    // Events go to connected sockets only: one listens, so the write has an emit to trace.
    const socket = await connected(t.url, owner.token);
    const log = new EventLog(socket);
    const caller = callerContext();
    const created = await call(t.url, 'POST', '/api/tasks', {
      token: owner.token,
      body: { title: 'trace me' },
      headers: { traceparent: caller.traceparent },
    });
    expect(created.status).toBe(201);
    const id = (created.body as Task).id;
    await log.until(1);
    socket.disconnect();

    // The emit follows the commit from the change log, possibly after the response: wait for it too.
    const spans = await spansOf(
      caller.traceId,
      (list) => list.some((span) => span.kind === SERVER) && list.some((span) => span.name === 'socket.io emit task:created'),
    );
    const request = spans.find((span) => span.kind === SERVER);
    expect(request).toMatchObject({
      name: 'POST /api/tasks',
      parentSpanId: caller.spanId,
      serviceName: 'tasks-api-test',
      attributes: { 'http.route': '/api/tasks', 'http.request.method': 'POST', 'http.response.status_code': 201 },
    });
    const childrenOf = (parent: ReceivedSpan | undefined) => spans.filter((span) => span.parentSpanId === parent?.spanId);
    const guard = childrenOf(request).find((span) => span.name === 'auth guard');
    expect(guard).toBeDefined();
    // The token check's statement runs inside the guard; the INSERT inside the request.
    expect(childrenOf(guard).some((span) => span.kind === CLIENT && span.name === 'SELECT')).toBe(true);
    const insert = childrenOf(request).find((span) => span.kind === CLIENT && span.name === 'INSERT');
    expect(insert?.attributes['db.system.name']).toBe('postgresql');
    expect(String(insert?.attributes['db.query.text'])).toMatch(/^insert into "tasks"/i);
    const emit = childrenOf(request).find((span) => span.name === 'socket.io emit task:created');
    expect(emit).toBeDefined();
    // Delivery stays on this instance (each instance reads the change log): no Redis command under it.
    expect(childrenOf(emit).some((span) => span.attributes['db.system.name'] === 'redis')).toBe(false);
    // Statement values never reach a span: only the parameterised text.
    expect(JSON.stringify(spans)).not.toContain('trace me');
    expect(JSON.stringify(spans)).not.toContain(id);

    const lines = t.logs.filter((line) => line.msg === 'request completed' && line.traceId === caller.traceId);
    expect(lines).toHaveLength(1);
  });

  it('should start a new trace for a request without traceparent and put its id in a 5xx problem and its log lines', async () => {
    const owner = await newUser(t);
    const res = await call(t.url, 'GET', '/api/trace-probe/boom', { token: owner.token });
    expect(res.status).toBe(500);
    const problem = problemSchema.parse(res.body);
    expect(problem.traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await spansOf(problem.traceId ?? '', (list) => list.some((span) => span.kind === SERVER));
    const request = spans.find((span) => span.kind === SERVER);
    expect(request?.parentSpanId ?? '').toBe('');
    expect(request?.status?.code).toBe(2);
    const lines = t.logs.filter((line) => line.reqId === problem.requestId);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((line) => line.traceId === problem.traceId)).toBe(true);
    // A service's own Logger line, written on the root logger while the request ran.
    expect(t.logs.find((line) => line.msg === 'probe about to fail')?.traceId).toBe(problem.traceId);
  });

  it('should keep the trace id out of 4xx problems', async () => {
    const res = await call(t.url, 'GET', '/api/tasks/not-a-uuid', { headers: { traceparent: callerContext().traceparent } });
    expect(res.status).toBe(401);
    expect(problemSchema.parse(res.body).traceId).toBeUndefined();
  });
});
