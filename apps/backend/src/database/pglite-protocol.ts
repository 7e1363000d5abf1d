// The two messages PreparedStatements exchanges with PGlite on every statement, written and read
// here: PGlite's own protocol Writer and Parser cost more than the backend's work on short
// statements (its Parser copies every field into a fresh ArrayBuffer; docs/benchmarks.md §20).

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

// Execute (unnamed portal, all rows) then Sync: the same bytes after every Bind.
const EXECUTE_SYNC = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);

/**
 * Bind (unnamed portal, `statement`, every parameter and column in text format; null is SQL NULL),
 * Execute and Sync, as one message buffer.
 */
export function bindExecuteSync(statement: string, values: readonly (string | null)[]): Uint8Array {
  const texts = values.map((value) => (value === null ? null : Buffer.from(value, 'utf8')));
  const name = Buffer.from(statement, 'utf8');
  // Length; portal "" and the name, each NUL-terminated; a text format code per parameter (as
  // PGlite's Writer does); value count; the values (length, bytes); result format count.
  const bindLength = 4 + 1 + name.length + 1 + 2 + 2 * texts.length + 2 + texts.reduce((size, text) => size + 4 + (text?.length ?? 0), 0) + 2;
  const out = Buffer.allocUnsafe(1 + bindLength + EXECUTE_SYNC.length);
  let at = out.writeUInt8(0x42, 0); // 'B'
  at = out.writeInt32BE(bindLength, at);
  at = out.writeUInt8(0, at);
  at += name.copy(out, at);
  at = out.writeUInt8(0, at);
  at = out.writeInt16BE(texts.length, at);
  out.fill(0, at, at + 2 * texts.length);
  at += 2 * texts.length;
  at = out.writeInt16BE(texts.length, at);
  for (const text of texts) {
    at = out.writeInt32BE(text === null ? -1 : text.length, at);
    if (text !== null) at += text.copy(out, at);
  }
  at = out.writeInt16BE(0, at);
  EXECUTE_SYNC.copy(out, at);
  return out;
}
