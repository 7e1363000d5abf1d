import { describe, expect, it } from 'vitest';
import { bulkChangeSchema } from './bulk.schema.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('bulkChangeSchema', () => {
  it('takes 1–100 unique ids with exactly one of status and delete', () => {
    expect(bulkChangeSchema.safeParse({ ids: [id(1)], status: 'RUNNING' }).success).toBe(true);
    expect(bulkChangeSchema.safeParse({ ids: [id(1), id(2)], delete: true }).success).toBe(true);
    expect(bulkChangeSchema.safeParse({ ids: Array.from({ length: 100 }, (_, i) => id(i)), status: 'FAILED', errorMessage: 'x' }).success).toBe(true);
  });

  it('refuses empty, too many and duplicate ids, both or neither of status and delete, and unknown fields', () => {
    const paths = (body: unknown) => {
      const result = bulkChangeSchema.safeParse(body);
      return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
    };
    expect(paths({ ids: [], status: 'RUNNING' })).toContain('ids');
    expect(paths({ ids: Array.from({ length: 101 }, (_, i) => id(i)), status: 'RUNNING' })).toContain('ids');
    expect(paths({ ids: [id(1), id(1)], status: 'RUNNING' })).toEqual(['ids.1']);
    expect(paths({ ids: [id(1)], status: 'RUNNING', delete: true })).toEqual(['status']);
    expect(paths({ ids: [id(1)] })).toEqual(['status']);
    expect(paths({ ids: [id(1)], delete: false })).toContain('delete');
    expect(paths({ ids: [id(1)], delete: true, errorMessage: 'x' })).toEqual(['errorMessage']);
    expect(paths({ ids: [id(1)], status: 'RUNNING', userId: id(2) })).toEqual(['']);
    expect(paths({ ids: ['nope'], status: 'RUNNING' })).toContain('ids.0');
  });
});
