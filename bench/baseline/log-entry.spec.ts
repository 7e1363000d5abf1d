import { appendLogSchema } from '@tasks/schemas';
import { describe, expect, it } from 'vitest';
import { parseLogAppend } from './log-entry.js';

// Bodies at and around each rule of appendLogSchema: the floor must take exactly what the app takes.
const bodies: unknown[] = [
  { level: 'info', message: 'Bench step 1 done' },
  { message: 'no level: info' },
  { level: 'warn', message: '  trimmed  ' },
  { level: 'error', message: 'x' },
  { level: 'debug', message: 'unknown level' },
  { level: 'INFO', message: 'levels are lower case' },
  { level: null, message: 'a null level is not a missing one' },
  { level: 1, message: 'a number' },
  { level: 'info' },
  { level: 'info', message: 7 },
  { level: 'info', message: null },
  { level: 'info', message: '' },
  { level: 'info', message: ' \t\n\u00a0\u2028\ufeff' },
  { level: 'info', message: 'x'.repeat(2000) },
  { level: 'info', message: 'x'.repeat(2001) },
  { level: 'info', message: ` ${'x'.repeat(2000)} ` },
  { level: 'info', message: '😀'.repeat(2000) },
  { level: 'info', message: '😀'.repeat(2001) },
  { level: 'info', message: '€'.repeat(2000) },
  { level: 'info', message: `${'€'.repeat(1999)}😀` },
  { level: 'info', message: 'a\u0000b' },
  { level: 'info', message: 'lone \ud800 high' },
  { level: 'info', message: 'lone \udc00 low' },
  { level: 'info', message: 'pair \ud83d\ude00 ok' },
  { level: 'info', message: 'extra key', title: 'no' },
  { level: 'info', message: 'extra undefined-free key', id: null },
  ['info', 'an array'],
  'a string',
  42,
  null,
];

describe('parseLogAppend', () => {
  it.each(bodies.map((body, index) => [index, body]))('decides body %i as appendLogSchema does', (_index, body) => {
    const app = appendLogSchema.safeParse(body);
    expect(parseLogAppend(body)).toEqual(app.success ? { level: app.data.level, message: app.data.message } : null);
  });

  it('trims the message and defaults the level to info', () => {
    expect(parseLogAppend({ message: '  step done \n' })).toEqual({ level: 'info', message: 'step done' });
  });
});
