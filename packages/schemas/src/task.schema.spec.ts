import { describe, expect, it } from 'vitest';
import {
  canTransition,
  createTaskSchema,
  TASK_STATUSES,
  taskFilterSchema,
  updateTaskSchema,
  type TaskStatus,
} from './index.js';

describe('task lifecycle', () => {
  const allowed: Record<TaskStatus, TaskStatus[]> = {
    PENDING: ['RUNNING', 'COMPLETED', 'CANCELLED'],
    RUNNING: ['COMPLETED', 'FAILED', 'CANCELLED'],
    FAILED: ['PENDING'],
    COMPLETED: ['PENDING'],
    CANCELLED: ['PENDING'],
  };

  for (const from of TASK_STATUSES) {
    for (const to of TASK_STATUSES) {
      const expected = allowed[from].includes(to);
      it(`should ${expected ? 'allow' : 'refuse'} ${from} → ${to} when the contract ${expected ? 'lists' : 'omits'} it`, () => {
        expect(canTransition(from, to)).toBe(expected);
      });
    }
  }
});

describe('taskFilterSchema', () => {
  it('should apply the defaults when the query is empty', () => {
    expect(taskFilterSchema.parse({})).toEqual({ limit: 20, offset: 0, sort: '-createdAt' });
  });

  it('should split comma lists and drop duplicates when several statuses are given', () => {
    expect(taskFilterSchema.parse({ status: 'PENDING,RUNNING,PENDING' }).status).toEqual(['PENDING', 'RUNNING']);
  });

  it.each([
    [{ limit: '0' }],
    [{ limit: '101' }],
    [{ limit: '1.5' }],
    [{ limit: ' 5' }],
    [{ limit: '1e1' }],
    [{ offset: '-1' }],
    [{ status: 'DONE' }],
    [{ status: 'PENDING,' }],
    [{ status: ['PENDING', 'RUNNING'] }],
    [{ sort: 'title' }],
    [{ page: '1' }],
  ])('should reject %j when it is outside the contract', (query) => {
    expect(taskFilterSchema.safeParse(query).success).toBe(false);
  });
});

describe('task bodies', () => {
  it('should trim the title when creating', () => {
    expect(createTaskSchema.parse({ title: '  write docs ' }).title).toBe('write docs');
  });

  it.each([
    [{ title: '   ' }],
    [{ title: 'x'.repeat(201) }],
    [{ title: 'ok', userId: '4f0c6b1e-0000-4000-8000-000000000000' }],
    [{ title: 'ok', description: 'd'.repeat(2001) }],
    [{ title: 1 }],
  ])('should reject %j when creating', (body) => {
    expect(createTaskSchema.safeParse(body).success).toBe(false);
  });

  it('should reject an empty patch when no field is given', () => {
    expect(updateTaskSchema.safeParse({}).success).toBe(false);
  });
});
