import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { RequestTimeoutError } from '../common/errors/domain-error.js';
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
    expect(() => budget.assertOpen()).toThrow(RequestTimeoutError);
  });

  it('should hold back the 503 while a COMMIT is in flight, and refuse a COMMIT once the 503 went out', () => {
    const committing = new RequestBudget(10_000);
    committing.beginCommit();
    expect(committing.claimTimeoutAnswer()).toBe(false);
    committing.endCommit();
    // Committed: the request answers with its result, never a 503 that would say nothing changed.
    expect(committing.claimTimeoutAnswer()).toBe(false);

    const answered = new RequestBudget(10_000);
    expect(answered.claimTimeoutAnswer()).toBe(true);
    expect(() => answered.beginCommit()).toThrow(RequestTimeoutError);
    expect(answered.claimTimeoutAnswer()).toBe(false);
  });

  it('should refuse a COMMIT past the deadline even before its timer has run', () => {
    const late = new RequestBudget(100, performance.now() - 101);
    expect(late.remainingMs()).toBe(0);
    expect(() => late.beginCommit()).toThrow(RequestTimeoutError);
  });
});
