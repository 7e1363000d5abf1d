import { describe, expect, it } from 'vitest';
import { protocol } from '@electric-sql/pglite';
import { bindExecuteSync, dataRowsOf } from './pglite-protocol.js';

/** One backend message: type byte, int32 length (counting itself), payload. */
function message(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}

function dataRow(fields: (string | null)[]): Buffer {
  const parts = [Buffer.alloc(2)];
  parts[0]!.writeInt16BE(fields.length);
  for (const field of fields) {
    const length = Buffer.alloc(4);
    if (field === null) {
      length.writeInt32BE(-1);
      parts.push(length);
    } else {
      const text = Buffer.from(field, 'utf8');
      length.writeInt32BE(text.length);
      parts.push(length, text);
    }
  }
  return message('D', Buffer.concat(parts));
}

const bindComplete = message('2');
const commandComplete = message('C', Buffer.from('SELECT 2\0'));
const readyForQuery = message('Z', Buffer.from('I'));

describe('dataRowsOf', () => {
  it('should read every DataRow field as text, NULL as null, and skip the other messages', () => {
    const answer = Buffer.concat([
      bindComplete,
      dataRow(['plain', null, '', '\uFEFFé 💡 \u0001']),
      message('N', Buffer.from('SNOTICE\0\0')),
      dataRow(['x'.repeat(100_000), 'two']),
      commandComplete,
      readyForQuery,
    ]);
    expect(dataRowsOf(answer)).toEqual([
      ['plain', null, '', '\uFEFFé 💡 \u0001'],
      ['x'.repeat(100_000), 'two'],
    ]);
  });

  it('should read a view into a larger buffer from its own offset', () => {
    const answer = Buffer.concat([Buffer.from('garbage'), bindComplete, dataRow(['a', 'b']), readyForQuery]);
    const view = new Uint8Array(answer.buffer, answer.byteOffset + 7, answer.length - 7);
    expect(dataRowsOf(view)).toEqual([['a', 'b']]);
  });

  it('should answer no rows for a statement that returns none', () => {
    expect(dataRowsOf(Buffer.concat([bindComplete, message('C', Buffer.from('UPDATE 0\0')), readyForQuery]))).toEqual([]);
  });

  it('should answer null when the answer holds an ErrorResponse', () => {
    const error = message('E', Buffer.from('SERROR\0C42601\0Msyntax error\0\0'));
    expect(dataRowsOf(Buffer.concat([error, readyForQuery]))).toBeNull();
    expect(dataRowsOf(Buffer.concat([bindComplete, dataRow(['a']), error, readyForQuery]))).toBeNull();
  });

  it('should refuse an answer whose last message is cut short', () => {
    const row = dataRow(['abcdef']);
    expect(() => dataRowsOf(Buffer.concat([bindComplete, row.subarray(0, row.length - 2)]))).toThrow('Truncated message');
  });
});

describe('bindExecuteSync', () => {
  const pglite = (statement: string, values: (string | null)[]) =>
    Buffer.concat([protocol.serialize.bind({ statement, values }), protocol.serialize.execute({}), protocol.serialize.sync()]);

  it.each([
    ['no parameters', 's1', []],
    ['text, NULL and empty parameters', 's12', ['plain', null, '', 'null']],
    ['multi-byte and long parameters', 's300', ['\uFEFFé 💡 \u0001', 'x'.repeat(70_000), '{"a":[1,"b"]}']],
  ])('should write the same bytes as PGlite\'s own serializer for %s', (_name, statement, values) => {
    expect(Buffer.from(bindExecuteSync(statement, values))).toEqual(pglite(statement, values));
  });
});
