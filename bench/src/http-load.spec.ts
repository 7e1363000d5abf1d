import { appendLogSchema } from '@tasks/schemas';
import { describe, expect, it } from 'vitest';
import type { BenchUser } from './database.js';
import { requestFactory, WORKLOADS } from './http-load.js';

const users: BenchUser[] = [
  { id: 'u1', email: 'bench-1@bench.test', token: 't1', taskIds: ['a1', 'a2'] },
  { id: 'u2', email: 'bench-2@bench.test', token: 't2', taskIds: ['b1'] },
];

describe('requestFactory', () => {
  it('appends a valid entry to one of the requesting user’s own tasks', () => {
    const next = requestFactory('log', users);
    for (let i = 0; i < 50; i++) {
      const request = next();
      const user = users.find((u) => request.headers.authorization === `Bearer ${u.token}`)!;
      expect(request.method).toBe('POST');
      expect(user.taskIds.map((id) => `/api/tasks/${id}/logs`)).toContain(request.path);
      expect(request.headers['content-type']).toBe('application/json');
      expect(appendLogSchema.safeParse(JSON.parse(request.body!)).success).toBe(true);
    }
  });

  it('keeps the mix as it was (list, get, create, patch; no log append) and last among the routes', () => {
    const next = requestFactory('mix', users);
    const kinds = new Set(Array.from({ length: 400 }, () => next()).map((r) => `${r.method} ${r.path.replace(/\/[ab]\d$/, '/:id')}`));
    expect([...kinds].sort()).toEqual(['GET /api/tasks/:id', 'GET /api/tasks?limit=20', 'PATCH /api/tasks/:id', 'POST /api/tasks']);
    expect(WORKLOADS.at(-1)).toBe('mix');
  });
});
