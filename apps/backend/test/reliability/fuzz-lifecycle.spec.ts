import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canTransition, TASK_LOGS_KEPT, TASK_PRIORITIES, TASK_STATUSES, taskListSchema, type Task, type TaskPriority, type TaskStatus } from '@tasks/schemas';
import { newUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const RUNS = Math.max(10, Math.round(Number(process.env.FUZZ_RUNS ?? 300) / 10));
const RUNNING_CAP = 3;

/** The reference model: what a user's tasks must look like after each step. */
interface ModelTask {
  id: string;
  title: string;
  status: TaskStatus;
  priority: TaskPriority;
  logs: number;
  version: number;
}
interface Model {
  tasks: ModelTask[];
  deleted: string[];
}
interface Real {
  url: string;
  token: string;
  steps: number;
}

const pick = (model: Model, index: number): ModelTask | undefined => (model.tasks.length === 0 ? undefined : model.tasks[index % model.tasks.length]);

/** Reads the user's whole task list and compares it with the model, field by field. */
async function compare(model: Model, real: Real): Promise<void> {
  real.steps += 1;
  const response = await call(real.url, 'GET', '/api/tasks?limit=100&sort=createdAt', { token: real.token });
  expect(response.status).toBe(200);
  const list = taskListSchema.parse(response.body);
  expect(list.total).toBe(model.tasks.length);
  const byId = new Map(list.items.map((task) => [task.id, task]));
  for (const expected of model.tasks) {
    const actual = byId.get(expected.id);
    expect(actual, expected.id).toBeDefined();
    const task = actual as Task;
    expect({ title: task.title, status: task.status, priority: task.priority, logs: task.logCount, version: task.version }).toEqual({
      title: expected.title,
      status: expected.status,
      priority: expected.priority,
      logs: expected.logs,
      version: expected.version,
    });
    // Timestamps follow the status.
    if (task.status === 'PENDING') expect([task.startedAt, task.completedAt, task.failedAt, task.errorMessage]).toEqual([null, null, null, null]);
    if (task.status === 'COMPLETED') expect(task.completedAt).not.toBeNull();
    if (task.status === 'FAILED') expect(task.failedAt).not.toBeNull();
    if (task.status === 'RUNNING') expect(task.startedAt).not.toBeNull();
  }
  for (const id of model.deleted) {
    expect((await call(real.url, 'GET', `/api/tasks/${id}`, { token: real.token })).status).toBe(404);
  }
}

function applyStatus(model: Model, task: ModelTask, target: TaskStatus): number {
  if (target === task.status) return 200;
  if (!canTransition(task.status, target)) return 409;
  if (target === 'RUNNING' && model.tasks.filter((t) => t.status === 'RUNNING').length >= RUNNING_CAP) return 409;
  task.status = target;
  task.version += 1;
  return 200;
}

class Create implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly title: string,
    readonly priority: TaskPriority | undefined,
  ) {}
  check = (model: Readonly<Model>) => model.tasks.length < 25;
  async run(model: Model, real: Real): Promise<void> {
    const response = await call(real.url, 'POST', '/api/tasks', { token: real.token, body: { title: this.title, ...(this.priority ? { priority: this.priority } : {}) } });
    expect(response.status).toBe(201);
    const task = response.body as Task;
    model.tasks.push({ id: task.id, title: this.title.trim(), status: 'PENDING', priority: this.priority ?? 'MEDIUM', logs: 0, version: 1 });
    await compare(model, real);
  }
  toString = () => `create(${JSON.stringify(this.title)}, ${this.priority})`;
}

class Transition implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly target: TaskStatus,
  ) {}
  check = (model: Readonly<Model>) => model.tasks.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const task = pick(model, this.index)!;
    const expected = applyStatus(model, task, this.target);
    const response = await call(real.url, 'PATCH', `/api/tasks/${task.id}`, { token: real.token, body: { status: this.target } });
    expect(response.status, response.text).toBe(expected);
    await compare(model, real);
  }
  toString = () => `transition(#${this.index} → ${this.target})`;
}

class ToggleComplete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (model: Readonly<Model>) => model.tasks.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const task = pick(model, this.index)!;
    const expected = applyStatus(model, task, task.status === 'COMPLETED' ? 'PENDING' : 'COMPLETED');
    const response = await call(real.url, 'PATCH', `/api/tasks/${task.id}/complete`, { token: real.token });
    expect(response.status, response.text).toBe(expected);
    await compare(model, real);
  }
  toString = () => `toggleComplete(#${this.index})`;
}

class Edit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly title: string,
    readonly priority: TaskPriority,
  ) {}
  check = (model: Readonly<Model>) => model.tasks.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const task = pick(model, this.index)!;
    const response = await call(real.url, 'PATCH', `/api/tasks/${task.id}`, { token: real.token, body: { title: this.title, priority: this.priority } });
    expect(response.status, response.text).toBe(200);
    const changed = task.title !== this.title.trim() || task.priority !== this.priority;
    task.title = this.title.trim();
    task.priority = this.priority;
    if (changed) task.version += 1;
    await compare(model, real);
  }
  toString = () => `edit(#${this.index}, ${JSON.stringify(this.title)}, ${this.priority})`;
}

class Log implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly message: string,
  ) {}
  check = (model: Readonly<Model>) => model.tasks.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const task = pick(model, this.index)!;
    const response = await call(real.url, 'POST', `/api/tasks/${task.id}/logs`, { token: real.token, body: { message: this.message, level: 'info' } });
    expect(response.status, response.text).toBe(201);
    task.logs = Math.min(TASK_LOGS_KEPT, task.logs + 1);
    task.version += 1;
    await compare(model, real);
  }
  toString = () => `log(#${this.index})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (model: Readonly<Model>) => model.tasks.length > 0;
  async run(model: Model, real: Real): Promise<void> {
    const task = pick(model, this.index)!;
    expect((await call(real.url, 'DELETE', `/api/tasks/${task.id}`, { token: real.token })).status).toBe(204);
    // Deleting twice is a 404, and so is every later write.
    expect((await call(real.url, 'DELETE', `/api/tasks/${task.id}`, { token: real.token })).status).toBe(404);
    expect((await call(real.url, 'PATCH', `/api/tasks/${task.id}`, { token: real.token, body: { title: 'zombie' } })).status).toBe(404);
    model.tasks = model.tasks.filter((t) => t.id !== task.id);
    model.deleted.push(task.id);
    await compare(model, real);
  }
  toString = () => `delete(#${this.index})`;
}

const title = fc.string({ minLength: 1, maxLength: 40 }).filter((value) => value.trim().length > 0 && !value.includes('\u0000'));
const index = fc.nat({ max: 30 });
const create = fc.tuple(title, fc.option(fc.constantFrom(...TASK_PRIORITIES), { nil: undefined })).map(([t, p]) => new Create(t, p));
const commands = [
  create,
  create,
  fc.tuple(index, fc.constantFrom(...TASK_STATUSES)).map(([i, s]) => new Transition(i, s)),
  fc.tuple(index, fc.constantFrom(...TASK_STATUSES)).map(([i, s]) => new Transition(i, s)),
  index.map((i) => new ToggleComplete(i)),
  fc.tuple(index, title, fc.constantFrom(...TASK_PRIORITIES)).map(([i, t, p]) => new Edit(i, t, p)),
  fc.tuple(index, fc.string({ minLength: 1, maxLength: 60 }).filter((m) => m.trim().length > 0 && !m.includes('\u0000'))).map(([i, m]) => new Log(i, m)),
  index.map((i) => new Delete(i)),
];

describe('stateful model of the task lifecycle', () => {
  let t: TestApp;
  const stats = { sequences: 0, steps: 0 };

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_RATE_LIMIT_REGISTER: '100000', TASKS_MAX_CONCURRENT: String(RUNNING_CAP) } });
  }, 120_000);

  afterAll(async () => {
    console.info('[fuzz] lifecycle', JSON.stringify(stats));
    await t?.close();
  });

  it('should match the reference model after every step when random create/update/transition/log/delete sequences run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: 'max' }), async (sequence) => {
        const user = await newUser(t);
        const real: Real = { url: t.url, token: user.token, steps: 0 };
        await fc.asyncModelRun(() => ({ model: { tasks: [], deleted: [] }, real }), sequence);
        stats.sequences += 1;
        stats.steps += real.steps;
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: 240_000 },
    );
  }, 300_000);
});
