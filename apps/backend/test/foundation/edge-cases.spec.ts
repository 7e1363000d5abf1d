import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { problemSchema } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONTEND_DIST } from '../../src/frontend/serve-frontend.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ORIGIN = 'https://ui.example';

/** Asserts an RFC 9457 problem whose requestId is the x-request-id header; returns the body. */
function expectProblemDocument(status: number, headers: Headers | Record<string, string>, text: string): Record<string, unknown> {
  const header = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] ?? null));
  expect(header('content-type')).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(problemSchema.parse(body).status).toBe(status);
  expect(header('x-request-id')).toMatch(/^[\w.:-]{1,128}$/);
  expect(body.requestId).toBe(header('x-request-id'));
  return body;
}

async function problemOf(res: Response, status: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  return expectProblemDocument(status, res.headers, await res.text());
}

/** One request written by hand on a socket (for what fetch refuses to send); the raw answer. */
function rawRequest(url: string, head: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(head));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = headText.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('answers at the edges of HTTP', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: ORIGIN } });
    user = await newUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('requests refused before routing', () => {
    it('should answer 431 as a problem with a request id when the query string is over 16 KiB', async () => {
      const body = await problemOf(await fetch(`${t.url}/api/tasks?q=${'a'.repeat(20_000)}`), 431);
      // The query is never reflected; the instance is the path or, past the parser's buffer, the occurrence.
      expect(body.instance).toMatch(/^(\/api\/tasks|urn:uuid:[0-9a-f-]{36})$/);
    });

    it('should answer 414 as a problem when the URL is longer than 12 KiB but within the header limit', async () => {
      const body = await problemOf(await fetch(`${t.url}/api/tasks?q=${'a'.repeat(13_000)}`, { headers: user.headers }), 414);
      expect(body.instance).toBe('/api/tasks');
    });

    it('should answer 501 as a problem with a request id when the method is unknown to HTTP', async () => {
      const res = await rawRequest(t.url, 'FOO /api/tasks HTTP/1.1\r\nHost: localhost\r\n\r\n');
      expect(res.status).toBe(501);
      expect(expectProblemDocument(501, res.headers, res.body).instance).toBe('/api/tasks');
    });

    it('should answer 405 with Allow when a known path is asked with a method it does not serve', async () => {
      const health = await fetch(`${t.url}/api/health/live`, { method: 'DELETE' });
      await problemOf(health, 405);
      expect(health.headers.get('allow')).toBe('GET, HEAD');
      const task = await newTask(t, user);
      const post = await fetch(`${t.url}/api/tasks/${task.id}`, { method: 'POST', headers: user.headers });
      await problemOf(post, 405);
      expect(post.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH, PUT');
      const propfind = await rawRequest(t.url, 'PROPFIND /api/tasks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      expect(propfind.status).toBe(405);
      expectProblemDocument(405, propfind.headers, propfind.body);
      expect(propfind.headers.allow).toBe('GET, HEAD, POST');
    });

    it('should answer 404 as a problem when no route has the path, whatever the method', async () => {
      await problemOf(await fetch(`${t.url}/api/no-such-route`, { method: 'POST' }), 404);
      await problemOf(await fetch(`${t.url}/api/no-such-route`, { method: 'DELETE' }), 404);
    });
  });

  describe('the web UI answers page loads only', () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

    it('should have a built UI to test against', () => {
      expect(existsSync(`${FRONTEND_DIST}/index.html`)).toBe(true);
    });

    it('should serve the UI for a page load outside /api, on GET and HEAD', async () => {
      const page = await fetch(`${t.url}/tasks/some-client-route`, { headers: html });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const head = await fetch(`${t.url}/tasks/some-client-route`, { method: 'HEAD', headers: html });
      expect(head.status).toBe(200);
    });

    it.each(['/API/TASKS', '/Api/tasks', '//api//tasks', '/api//tasks', '//tasks', '/api/no-such-route'])(
      'should answer %s with a 404 problem, never the UI, even to a browser',
      async (path) => {
        const res = await fetch(`${t.url}${path}`, { headers: html });
        await problemOf(res, 404);
      },
    );

    it('should answer a client that does not ask for HTML with a 404 problem outside /api', async () => {
      await problemOf(await fetch(`${t.url}/tasks/some-client-route`, { headers: { accept: 'application/json' } }), 404);
      await problemOf(await fetch(`${t.url}/tasks/some-client-route`), 404);
      await problemOf(await fetch(`${t.url}/tasks/some-client-route`, { method: 'POST', headers: html }), 404);
    });
  });

  describe('bodies over the limit', () => {
    const execFileAsync = promisify(execFile);
    // A client in its own process (as in production): Node's fetch and http.request, 5 MB each.
    const CLIENT = `
      import http from 'node:http';
      const url = process.argv[1];
      const body = JSON.stringify({ title: 'a'.repeat(5_000_000) });
      const headers = { 'content-type': 'application/json' };
      const results = [];
      for (let i = 0; i < 5; i++) {
        try {
          const res = await fetch(url, { method: 'POST', headers, body });
          results.push({ client: 'fetch', status: res.status, type: res.headers.get('content-type'), body: await res.text() });
        } catch (error) {
          results.push({ client: 'fetch', error: String(error.cause?.code ?? error) });
        }
      }
      for (let i = 0; i < 3; i++) {
        results.push(await new Promise((resolve) => {
          const req = http.request(url, { method: 'POST', headers }, (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve({ client: 'http', status: res.statusCode, type: res.headers['content-type'], body: text }));
          });
          req.on('error', (error) => resolve({ client: 'http', error: String(error.code ?? error) }));
          req.end(body);
        }));
      }
      console.log(JSON.stringify(results));
    `;

    it('should deliver the 413 problem to Node clients that send the whole body without waiting', async () => {
      const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', CLIENT, `${t.url}/api/tasks`], {
        maxBuffer: 1024 * 1024,
      });
      const results = JSON.parse(stdout) as { client: string; status?: number; type?: string; body?: string; error?: string }[];
      expect(results.map(({ client, status, error }) => ({ client, status, error }))).toEqual([
        ...Array.from({ length: 5 }, () => ({ client: 'fetch', status: 413, error: undefined })),
        ...Array.from({ length: 3 }, () => ({ client: 'http', status: 413, error: undefined })),
      ]);
      for (const result of results) expect(JSON.parse(result.body!)).toMatchObject({ status: 413, title: 'Payload Too Large' });
    }, 60_000);
  });

  describe('CORS', () => {
    const requestHeaders = ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'x-request-id'];
    const list = (value: string | null) => (value ?? '').split(',').map((item) => item.trim().toLowerCase());

    it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])('should allow %s and every header the API reads in a preflight', async (method) => {
      const res = await fetch(`${t.url}/api/tasks/7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders.join(',') },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(list(res.headers.get('access-control-allow-methods'))).toContain(method.toLowerCase());
      expect(list(res.headers.get('access-control-allow-headers'))).toEqual(expect.arrayContaining(requestHeaders));
    });

    it('should expose the headers a client on another origin needs to read', async () => {
      const res = await fetch(`${t.url}/api/tasks`, {
        method: 'POST',
        headers: { ...user.headers, origin: ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'from another origin' }),
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(list(res.headers.get('access-control-expose-headers'))).toEqual(
        expect.arrayContaining(['etag', 'location', 'retry-after', 'x-request-id', 'ratelimit', 'ratelimit-policy']),
      );
    });

    it('should not name a foreign origin as allowed', async () => {
      const res = await fetch(`${t.url}/api/tasks`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'PATCH' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });

    it.each([
      ['without Origin', { 'access-control-request-method': 'PATCH' }],
      ['without Access-Control-Request-Method', { origin: ORIGIN }],
      ['with neither', {}],
    ])('should answer a preflight %s with a 400 problem', async (_name, headers: Record<string, string>) => {
      await problemOf(await fetch(`${t.url}/api/tasks`, { method: 'OPTIONS', headers }), 400);
    });
  });
});
