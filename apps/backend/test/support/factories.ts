import { randomUUID } from 'node:crypto';
import type { AuthResponse, Task } from '@tasks/schemas';
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

/** Registers a fresh user through the real API (POST /api/auth/register) and returns its token. */
export async function newUser(t: TestApp, overrides: NewUserOverrides = {}): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@example.com`;
  const password = overrides.password ?? `pw-${randomUUID()}`;
  const res = await fetch(`${t.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 201) throw new Error(`newUser: register answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as AuthResponse;
  return {
    id: body.user.id,
    email: body.user.email,
    password,
    token: body.accessToken,
    headers: { authorization: `Bearer ${body.accessToken}` },
  };
}

export interface NewTaskOverrides {
  title?: string;
  description?: string | null;
  priority?: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
  /** Reached through the real lifecycle (e.g. FAILED = PENDING → RUNNING → FAILED). */
  status?: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
}

const STATUS_PATH: Record<NonNullable<NewTaskOverrides['status']>, string[]> = {
  PENDING: [],
  RUNNING: ['RUNNING'],
  COMPLETED: ['COMPLETED'],
  FAILED: ['RUNNING', 'FAILED'],
  CANCELLED: ['CANCELLED'],
};

/** Creates a task for `user` through the real API (POST /api/tasks, then PATCHes for the status). */
export async function newTask(t: TestApp, user: TestUser, overrides: NewTaskOverrides = {}): Promise<Task> {
  const { status = 'PENDING', ...fields } = overrides;
  const headers = { ...user.headers, 'content-type': 'application/json' };
  const res = await fetch(`${t.url}/api/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title: `task ${randomUUID()}`, ...fields }),
  });
  if (res.status !== 201) throw new Error(`newTask: create answered ${res.status}: ${await res.text()}`);
  let task = (await res.json()) as Task;
  for (const step of STATUS_PATH[status]) {
    const patched = await fetch(`${t.url}/api/tasks/${task.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ status: step }),
    });
    if (patched.status !== 200) throw new Error(`newTask: PATCH ${step} answered ${patched.status}: ${await patched.text()}`);
    task = (await patched.json()) as Task;
  }
  return task;
}
