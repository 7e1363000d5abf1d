/** A private Redis on a free port, for tests that stop and start it without touching the shared one. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort, waitFor } from '@tasks/testkit';

function tcpAnswers(port: number, send?: string, expect?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => {
      if (send === undefined) return done(true);
      socket.write(send);
    });
    socket.on('data', (data) => done(expect === undefined || data.toString().includes(expect)));
  });
}

export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async create(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    this.child = child;
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    await waitFor('private redis', () => tcpAnswers(this.port, 'PING\r\n', 'PONG'), 15_000, () => (exited ? 'redis-server exited' : undefined));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
  }
}
