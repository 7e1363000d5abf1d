import { describe, expect, it } from 'vitest';
import { PurgeSchedule } from './purge-schedule.js';

describe('PurgeSchedule', () => {
  it('should be due on the first call, then not again until the interval has passed', () => {
    const schedule = new PurgeSchedule(60_000);
    expect(schedule.due(1_000)).toBe(true);
    expect(schedule.due(1_001)).toBe(false);
    expect(schedule.due(60_999)).toBe(false);
    expect(schedule.due(61_000)).toBe(true);
    expect(schedule.due(61_000)).toBe(false);
  });
});
