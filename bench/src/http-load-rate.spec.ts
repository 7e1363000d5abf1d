import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measure } from './http-load.js';

// A real server and a real autocannon run: the rate `measure` reports must be the rate the server saw.
describe('measure', () => {
  let server: Server;
  let url: string;
  const arrivals: number[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      arrivals.push(performance.now());
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reports requests per second of the run as it happened when a round is not a whole number of seconds', async () => {
    const users = [{ id: 'u1', email: 'u1@bench.test', token: 't1', taskIds: ['a1'] }];
    const result = await measure({ url, pid: process.pid, workload: 'get', users, connections: 2, durationSec: 1.2 });

    const first = arrivals[0]!;
    const last = arrivals.at(-1)!;
    const seenPerSecond = arrivals.length / ((last - first) / 1000);
    expect(result.total).toBeGreaterThan(100);
    // autocannon stops at its next 1 s tick: the run lasted about 2 s, and a rate counted over the
    // 1.2 s asked for came out 5/3 of what the server saw.
    expect(result.rps).toBeLessThan(seenPerSecond * 1.2);
    expect(result.rps).toBeGreaterThan(seenPerSecond * 0.8);
  });
});
