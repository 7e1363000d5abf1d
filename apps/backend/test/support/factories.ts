import { randomUUID } from 'node:crypto';
import { createContractClient } from '@tasks/api-client';
import type { Task } from '@tasks/schemas';
import { STATUS_PATH, type NewTaskOverrides } from '@tasks/testkit';
import type { TestApp } from './test-app.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  /** Ready to spread into fetch: `{ headers: { ...user.headers, 'content-type': 'application/json' } }`. */
  headers: { authorization: string };
}

export interface NewUserOverrides {
  email?: string;
  password?: string;
}

/** Factories go through the one typed client; the test's own limit applies, as with a bare fetch. */
const clientFor = (t: TestApp, token?: string) => createContractClient({ baseUrl: t.url, token: token ?? null, timeoutMs: 24 * 60 * 60 * 1000 });

/** Registers a fresh user through the real API (POST /api/auth/register) and returns its token. */
export async function newUser(t: TestApp, overrides: NewUserOverrides = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@example.com`;
  const password = overrides.password ?? `pw-${randomUUID()}`;
  const body = await clientFor(t).register({ email, password });
  return {
    id: body.user.id,
    email: body.user.email,
    password,
    token: body.accessToken,
    headers: { authorization: `Bearer ${body.accessToken}` },
  };
}

export type { NewTaskOverrides };

/** Creates a task for `user` through the real API (POST /api/tasks, then PATCHes for the status). */
export async function newTask(t: TestApp, user: TestUser, overrides: NewTaskOverrides = {}): Promise<Task> {
  const { status = 'PENDING', ...fields } = overrides;
  const client = clientFor(t, user.token);
  let task = await client.createTask({ title: `task ${randomUUID()}`, ...fields });
  for (const step of STATUS_PATH[status]) task = await client.updateTask(task.id, { status: step });
  return task;
}
