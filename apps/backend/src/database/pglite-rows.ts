// The DataRow messages of a backend answer, read straight from PGlite's output buffer. PGlite's own
// protocol Parser copies every field into a fresh ArrayBuffer before decoding it: on a page of tasks
// that copying was the largest single cost of a request (docs/benchmarks.md §20).

const DATA_ROW = 0x44; // 'D'
const ERROR_RESPONSE = 0x45; // 'E'
/** A message's type byte and its length field; the length counts itself but not the type. */
const HEADER_BYTES = 5;

/** One row's fields in text format, null for SQL NULL. */
export type RowFields = (string | null)[];

/**
 * The fields of every DataRow in `answer` (a whole backend answer, ending with ReadyForQuery), or
 * null when it holds an ErrorResponse: the caller then reads the error with PGlite's own parser.
 * Every other message (BindComplete, CommandComplete, notices, notifications …) carries no row.
 */
export function dataRowsOf(answer: Uint8Array): RowFields[] | null {
  const bytes = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  const rows: RowFields[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    const type = bytes[at];
    const end = at + 1 + bytes.readInt32BE(at + 1);
    if (end > bytes.length) throw new Error('Truncated message in a PGlite answer');
    if (type === ERROR_RESPONSE) return null;
    if (type === DATA_ROW) rows.push(fieldsOf(bytes, at + HEADER_BYTES));
    at = end;
  }
  return rows;
}

function fieldsOf(bytes: Buffer, start: number): RowFields {
  const count = bytes.readInt16BE(start);
  const fields: RowFields = new Array<string | null>(count);
  let at = start + 2;
  for (let i = 0; i < count; i++) {
    const length = bytes.readInt32BE(at);
    at += 4;
    if (length < 0) {
      fields[i] = null;
    } else {
      fields[i] = bytes.toString('utf8', at, at + length);
      at += length;
    }
  }
  return fields;
}
