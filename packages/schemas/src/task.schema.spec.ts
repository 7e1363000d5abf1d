import { describe, expect, it } from 'vitest';
import {
  appendLogSchema,
  canTransition,
  logPageQuerySchema,
  registerSchema,
  utf8Bytes,
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

  it('should trim q and accept 200 characters when searching', () => {
    expect(taskFilterSchema.parse({ q: `  ${'a'.repeat(200)}  ` }).q).toBe('a'.repeat(200));
  });

  it('should take a cursor without offset when continuing a walk', () => {
    expect(taskFilterSchema.parse({ cursor: 'abc' })).toEqual({ cursor: 'abc', limit: 20, offset: 0, sort: '-createdAt' });
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
    [{ cursor: 'abc', offset: '0' }],
    [{ cursor: '' }],
    [{ q: '   ' }],
    [{ q: 'a'.repeat(201) }],
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

describe('lengths in code points (as the OpenAPI document and PostgreSQL count them)', () => {
  it('should count an emoji as one character in titles, texts and log messages', () => {
    expect(createTaskSchema.safeParse({ title: '😀'.repeat(200) }).success).toBe(true);
    expect(createTaskSchema.safeParse({ title: '😀'.repeat(201) }).success).toBe(false);
    expect(createTaskSchema.safeParse({ title: 't', description: '😀'.repeat(2000) }).success).toBe(true);
    expect(createTaskSchema.safeParse({ title: 't', description: '😀'.repeat(2001) }).success).toBe(false);
    expect(appendLogSchema.safeParse({ message: '😀'.repeat(2000) }).success).toBe(true);
  });

  it('should count code points in passwords: 128 emoji are allowed, 129 are not', () => {
    expect(registerSchema.safeParse({ email: 'a@b.io', password: '🔑'.repeat(128) }).success).toBe(true);
    expect(registerSchema.safeParse({ email: 'a@b.io', password: '🔑'.repeat(129) }).success).toBe(false);
    expect(registerSchema.safeParse({ email: 'a@b.io', password: '🔑'.repeat(7) }).success).toBe(false);
  });
});

describe('log schemas', () => {
  it('should count UTF-8 bytes as TextEncoder does, surrogate pairs as four', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀€é\u0001', '😀'.repeat(1000)]) {
      expect(utf8Bytes(text)).toBe(Buffer.byteLength(text));
    }
  });

  it('should accept 2000 characters of any width and refuse 2001, a blank or NUL message', () => {
    expect(appendLogSchema.safeParse({ message: '€'.repeat(2000) }).success).toBe(true);
    expect(appendLogSchema.safeParse({ message: '\u0001'.repeat(2000), level: 'error' }).success).toBe(true);
    expect(appendLogSchema.safeParse({ message: 'x'.repeat(2001) }).success).toBe(false);
    expect(appendLogSchema.safeParse({ message: '   ' }).success).toBe(false);
    expect(appendLogSchema.safeParse({ message: 'a\u0000b' }).success).toBe(false);
  });

  it('should read the log page query: limit 1–200 (default 50), a cursor, nothing else', () => {
    expect(logPageQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(logPageQuerySchema.parse({ limit: '200', cursor: 'c' })).toEqual({ limit: 200, cursor: 'c' });
    for (const bad of [{ limit: '0' }, { limit: '201' }, { limit: '1e2' }, { cursor: '' }, { offset: '1' }]) {
      expect(logPageQuerySchema.safeParse(bad).success).toBe(false);
    }
  });
});
