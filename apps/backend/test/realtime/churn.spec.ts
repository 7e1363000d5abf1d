import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangePumps } from '../../src/realtime/change-pumps.js';
import { TasksGateway } from '../../src/realtime/tasks.gateway.js';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { connected, EventLog, refusal, tasksClient } from './socket-client.js';

const CYCLES = 1_000;
const BATCH = 25;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Waits until the server has processed every close (no timing asserted, only a bound on waiting). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!check()) throw new Error(`still not ${what}`);
}

describe('socket churn', () => {
  let t: TestApp;
  let user: TestUser;
  let gateway: TasksGateway;
  beforeAll(async () => {
    t = await startTestApp();
    user = await newUser(t);
    gateway = t.app.get(TasksGateway);
  });
  afterAll(async () => {
    await t.close();
  });

  async function cycles(count: number): Promise<void> {
    for (let done = 0; done < count; done += BATCH) {
      await Promise.all(
        Array.from({ length: BATCH }, async (_, i) => {
          // Every fifth handshake is refused, so refusals are churned too.
          if (i % 5 === 4) {
            await refusal(tasksClient(t.url, 'garbage'));
            return;
          }
          const socket = await connected(t.url, user.token);
          socket.disconnect();
        }),
      );
    }
  }

  it('should leave no sockets and no material heap growth when thousands of clients connect and disconnect', async () => {
    await cycles(200); // warm-up: JIT, pools, caches
    await until(() => gateway.connectedSockets === 0, 'back to 0 sockets');
    const heapBefore = await settledHeap();
    const started = Date.now();

    await cycles(CYCLES);
    await until(() => gateway.connectedSockets === 0, 'back to 0 sockets');
    const heapAfter = await settledHeap();
    const growthMb = (heapAfter - heapBefore) / 1024 / 1024;
    console.log(
      `churn: ${CYCLES} cycles (${CYCLES / 5} refused) in ${Date.now() - started} ms; sockets after: ${gateway.connectedSockets}; ` +
        `heap ${(heapBefore / 1024 / 1024).toFixed(1)} MB -> ${(heapAfter / 1024 / 1024).toFixed(1)} MB (${growthMb.toFixed(2)} MB)`,
    );
    expect(gateway.connectedSockets).toBe(0);
    // No user keeps a pump once their sockets are gone.
    await until(() => t.app.get(ChangePumps).users === 0, 'back to 0 pumps');
    // Each leaked socket would hold tens of kB: 1,200 of them would show as well over this.
    expect(growthMb).toBeLessThan(10);

    // Still serving after the churn.
    const socket = await connected(t.url, user.token);
    const log = new EventLog(socket);
    const task = await newTask(t, user);
    await log.until(1);
    expect(log.events).toEqual([{ event: 'task:created', payload: task }]);
    socket.disconnect();
  }, 300_000);
});
