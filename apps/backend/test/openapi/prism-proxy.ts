import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { cliEntry, OFFLINE_ENV } from './cli.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrismProxy {
  url: string;
  output(): string;
  close(): Promise<void>;
}

/**
 * `prism proxy --errors <document> <upstream>`: forwards each request and answers Prism's own error
 * instead of the upstream's answer when the request (if validated) or the response violates the document.
 */
export async function startPrismProxy(document: string, upstream: string, validateRequest: boolean): Promise<PrismProxy> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [cliEntry('@stoplight/prism-cli', 'prism'), 'proxy', document, upstream, '--errors', '--port', String(port), '--host', '127.0.0.1',
      '--validate-request', String(validateRequest), '--cors', 'false', '-v', 'warn'],
    { env: OFFLINE_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prism exited ${child.exitCode}: ${output}`);
    const up = await fetch(`${url}/api/health/live`).then((response) => response.status === 200, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`prism did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    output: () => output,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
