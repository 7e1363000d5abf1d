import { describe, expect, it } from 'vitest';
import { ifMatchAccepts, parseIfMatch } from './if-match.js';

describe('parseIfMatch', () => {
  it('should accept any version when the header is absent or *', () => {
    expect(ifMatchAccepts(parseIfMatch(undefined), 3)).toBe(true);
    expect(ifMatchAccepts(parseIfMatch('*'), 3)).toBe(true);
  });

  it('should match strong tags only when a list is sent', () => {
    expect(ifMatchAccepts(parseIfMatch('"3"'), 3)).toBe(true);
    expect(ifMatchAccepts(parseIfMatch('"1", "3"'), 3)).toBe(true);
    expect(ifMatchAccepts(parseIfMatch('"2"'), 3)).toBe(false);
    expect(ifMatchAccepts(parseIfMatch('W/"3"'), 3)).toBe(false);
    expect(ifMatchAccepts(parseIfMatch('3'), 3)).toBe(false);
    expect(ifMatchAccepts(parseIfMatch(''), 3)).toBe(false);
  });
});
