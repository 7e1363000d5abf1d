import { taskSchema, type Problem, type Task } from '@tasks/schemas';
import { expect } from 'vitest';
import type { TestUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import type { TestApp } from '../support/test-app.js';

export interface Res<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** The test's own limit applies, as with a bare fetch. */
const NO_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** One request to the app as `user` (or anonymous), JSON in and out. */
export async function api<T = unknown>(
  t: TestApp,
  user: TestUser | undefined,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(user?.headers ?? {}), ...options.headers };
  if (options.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  const res = await call(t.url, method, path, { ...options, headers, timeoutMs: NO_TIMEOUT_MS });
  return { status: res.status, headers: res.headers, body: (res.text ? JSON.parse(res.text) : undefined) as T };
}

export function expectTask(body: unknown): Task {
  return taskSchema.parse(body);
}

/** Asserts a problem document with the given status; returns it. */
export function expectProblem(res: Res, status: number): Problem {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.body as Problem;
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}

/** A 404 body without the per-request fields, to compare 404s with each other. */
export function comparable404(res: Res): Omit<Problem, 'instance' | 'requestId'> {
  const { instance: _i, requestId: _r, ...rest } = expectProblem(res, 404);
  return rest;
}

/** Snapshot of every task row, to prove a request changed nothing. */
export async function allTaskRows(t: TestApp): Promise<unknown[]> {
  return t.prisma.task.findMany({ orderBy: { id: 'asc' } });
}
