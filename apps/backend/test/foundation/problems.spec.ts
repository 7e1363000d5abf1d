import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Public } from '../../src/auth/public.decorator.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const INTERNALS = 'connection to db-internal.example:5432 failed for user tasks password=hunter2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const probeSchema = z.strictObject({ name: z.string().min(1), size: z.number().int() });

/** Test-only routes: one that fails unexpectedly, one that takes a JSON body. */
@Public()
@Controller('probe')
class ProbeController {
  @Get('boom')
  boom(): never {
    throw new Error(INTERNALS);
  }

  @Post('echo')
  echo(@Body() body: unknown): { received: unknown } {
    return { received: typeof body === 'object' && body !== null ? Object.keys(body) : body };
  }

  @Post('validated')
  validated(@Body({ schema: probeSchema }) body: z.infer<typeof probeSchema>): z.infer<typeof probeSchema> {
    return body;
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('problem responses and request ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ imports: [ProbeModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: string | Uint8Array, contentType = 'application/json', headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });

  /** Asserts the RFC 9457 shape and returns the body. */
  /** The problem type each status answers in these cases (`about:blank` only for the unexpected 500). */
  const TYPES: Record<number, string> = {
    400: '/api/problems/validation-error',
    404: '/api/problems/not-found',
    405: '/api/problems/method-not-allowed',
    413: '/api/problems/body-too-large',
    415: '/api/problems/unsupported-media-type',
    500: 'about:blank',
  };

  async function problemOf(res: Response, status: number): Promise<Record<string, unknown>> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: TYPES[status], status });
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    // Security headers are on error responses too.
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    return body;
  }

  it('should answer 404 with a problem naming the route, without its query, when the route is unknown', async () => {
    const body = await problemOf(await fetch(`${t.url}/api/no-such-thing?token=s3cr3t`), 404);
    expect(body).toMatchObject({
      title: 'Not Found',
      detail: 'No route matches GET /api/no-such-thing.',
      instance: '/api/no-such-thing',
    });
    expect(JSON.stringify(body)).not.toContain('s3cr3t');
  });

  it('should answer 405 with Allow and a problem when a known path is used with another method', async () => {
    const res = await fetch(`${t.url}/api/probe/boom`, { method: 'DELETE' });
    const body = await problemOf(res, 405);
    expect(body).toMatchObject({ title: 'Method Not Allowed', detail: 'DELETE is not allowed on /api/probe/boom; allowed: GET, HEAD.' });
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('should answer 400 when the JSON body is malformed', async () => {
    const body = await problemOf(await post('/api/probe/echo', '{"name": "half'), 400);
    expect(body).toMatchObject({ title: 'Bad Request', detail: 'The request body is not valid JSON.', instance: '/api/probe/echo' });
  });

  it('should answer 400 naming each bad field when the body does not match the route schema', async () => {
    const body = await problemOf(await post('/api/probe/validated', JSON.stringify({ size: 1.5, extra: true })), 400);
    const paths = (body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['extra', 'name', 'size']);
  });

  it('should accept a JSON body just under 1 MiB and answer 413 when it is over', async () => {
    const json = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - 10) });
    expect(Buffer.byteLength(json(1024 * 1024))).toBe(1024 * 1024);
    expect((await post('/api/probe/echo', json(1024 * 1024))).status).toBe(201);

    const body = await problemOf(await post('/api/probe/echo', json(1024 * 1024 + 1)), 413);
    expect(body).toMatchObject({ title: 'Payload Too Large', detail: 'The request body is larger than the 1 MiB limit.' });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x'])(
    'should answer 415 when a body is sent as %s',
    async (contentType) => {
      const body = await problemOf(await post('/api/probe/echo', 'name=x', contentType), 415);
      expect(body).toMatchObject({ title: 'Unsupported Media Type', detail: 'Send the request body as application/json.' });
    },
  );

  it('should answer a generic 500 without internals and log the error with the request id when a handler throws', async () => {
    const res = await fetch(`${t.url}/api/probe/boom`, { headers: { 'x-request-id': 'boom-request-1' } });
    const body = await problemOf(res, 500);

    expect(body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred. Quote request id boom-request-1 when reporting it.',
      instance: '/api/probe/boom',
      requestId: 'boom-request-1',
    });
    const text = JSON.stringify(body);
    for (const leak of ['hunter2', 'db-internal', 'stack', '    at ', '.ts:']) expect(text).not.toContain(leak);
    const logged = t.logs.find((line) => line.reqId === 'boom-request-1' && line.level === 50);
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain(INTERNALS);
  });

  it('should echo a well-formed x-request-id and put it on every log line of that request', async () => {
    const id = `client-id.${Date.now()}:abc_DEF-1`;
    const res = await fetch(`${t.url}/api/health/live`, { headers: { 'x-request-id': id } });

    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(id);
    const lines = t.logs.filter((line) => line.reqId === id);
    expect(lines.length).toBeGreaterThan(0);
    // One request line, on completion, with what happened.
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ req: { method: 'GET', url: '/api/health/live', remoteAddress: '127.0.0.1' }, res: { statusCode: 200 } });
    expect(typeof completed[0]?.responseTime).toBe('number');
  });

  it('should generate a request id when none is sent', async () => {
    const res = await fetch(`${t.url}/api/health/live`);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(t.logs.some((line) => line.reqId === id)).toBe(true);
  });

  it.each([
    ['spaces', 'has some spaces'],
    ['200 characters', 'a'.repeat(200)],
    ['markup', '<script>alert(1)</script>'],
    ['quotes and semicolons', `id";drop`],
  ])('should replace the request id with a fresh one when the sent id has %s', async (_what, sent) => {
    const res = await fetch(`${t.url}/api/no-such-thing`, { headers: { 'x-request-id': sent } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(((await res.json()) as { requestId: string }).requestId).toBe(id);
    expect(JSON.stringify(t.logs)).not.toContain(sent.length > 20 ? sent : `"${sent}"`);
  });

  it('should replace the request id when the sent id holds a line break', async () => {
    // fetch refuses to send such a header; a raw request shows what a hostile client gets.
    const { request } = await import('node:http');
    const id = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(`${t.url}/api/health/live`, { headers: { 'x-request-id': 'ok' } }, (res) => {
        res.resume();
        resolve(res.headers['x-request-id'] as string | undefined);
      });
      req.on('error', reject);
      // Folded header (obs-fold): a continuation line that a lax parser would join into the value.
      req.removeHeader('x-request-id');
      req.setHeader('x-request-id', 'first');
      req.end();
    });
    expect(id).toBe('first');
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const preflight = (origin: string) =>
    fetch(`${t.url}/api/health/live`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-request-id' },
    });

  it('should allow an origin listed in CORS_ORIGINS and expose x-request-id when it asks', async () => {
    const res = await preflight('https://app.example.com');
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const get = await fetch(`${t.url}/api/health/live`, { headers: { origin: 'https://app.example.com' } });
    expect(get.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('should not allow an origin missing from CORS_ORIGINS', async () => {
    const res = await preflight('https://evil.example.com');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
