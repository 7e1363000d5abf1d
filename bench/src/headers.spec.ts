import { describe, expect, it } from 'vitest';
import { headerLines } from './headers.js';

describe('headerLines', () => {
  it('lists every header but the date and request id, sorted, whatever the order sent', () => {
    const a = new Headers({ 'x-request-id': 'one', etag: '"2"', date: 'Mon, 07 Dec 2026 11:48:41 GMT', vary: 'Origin' });
    const b = new Headers({ vary: 'Origin', date: 'Tue, 08 Dec 2026 00:00:00 GMT', etag: '"2"', 'x-request-id': 'two' });
    expect(headerLines(a)).toBe('etag: "2"\nvary: Origin');
    expect(headerLines(b)).toBe(headerLines(a));
  });

  it('tells apart a missing header and a different value', () => {
    const app = new Headers({ vary: 'Origin', 'x-frame-options': 'SAMEORIGIN' });
    expect(headerLines(new Headers({ vary: 'Origin' }))).not.toBe(headerLines(app));
    expect(headerLines(new Headers({ vary: 'Origin', 'x-frame-options': 'DENY' }))).not.toBe(headerLines(app));
  });

  it('leaves out the headers asked to', () => {
    const sent = new Headers({ etag: '"7"', ratelimit: '"writes";r=9;t=60', vary: 'Origin' });
    expect(headerLines(sent, ['etag', 'ratelimit'])).toBe('vary: Origin');
  });
});
