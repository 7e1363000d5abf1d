import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../common/errors/domain-error.js';
import { RequestBudget } from './request-budget.js';

describe('RequestBudget', () => {
  it('should stay open when the deadline is still ahead', () => {
    const budget = new RequestBudget(10_000);
    expect(budget.spent).toBe(false);
    expect(() => budget.assertOpen()).not.toThrow();
  });

  it('should refuse a write with a 503 when the budget counted from arrival is spent', () => {
    const budget = new RequestBudget(100, performance.now() - 101);
    expect(budget.spent).toBe(true);
    expect(() => budget.assertOpen()).toThrow(ServiceUnavailableError);
  });
});
