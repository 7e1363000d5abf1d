import { describe, expect, it } from 'vitest';
import { ifNoneMatchHits } from './if-none-match.js';

describe('ifNoneMatchHits', () => {
  it.each([
    ['"3"', '"3"', true],
    ['W/"3"', '"3"', true],
    ['"1", W/"3" , "7"', '"3"', true],
    ['*', '"3"', true],
    ['"4"', '"3"', false],
    ['"1", "2"', '"3"', false],
    ['3', '"3"', false],
    ['"3" junk', '"3"', false],
    ['', '"3"', false],
  ])('should answer %j against %s with %s', (header, etag, hit) => {
    expect(ifNoneMatchHits(header, etag)).toBe(hit);
  });

  it('should join repeated headers when the header arrives as a list', () => {
    expect(ifNoneMatchHits(['"1"', '"3"'], '"3"')).toBe(true);
  });

  it('should not match when no header is sent', () => {
    expect(ifNoneMatchHits(undefined, '"3"')).toBe(false);
  });
});
