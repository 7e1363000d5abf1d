import { type PGlite, protocol } from '@electric-sql/pglite';
import { bindExecuteSync, dataRowsOf, type RowFields } from './pglite-protocol.js';

const { serialize, Parser } = protocol;

interface Row {
  [column: string]: unknown;
}

interface Prepared {
  name: string;
  paramTypes: number[];
  fields: { name: string; dataTypeID: number }[];
}

/** Anything with `query(text, params)`, as DirectSql and the SQL instrumentation use it. */
interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** Statement texts kept prepared at once; the least recently used one is closed past this. */
const MAX_PREPARED = 256;

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

/**
 * PGlite with named prepared statements. `PGlite.query` parses, plans and describes every statement
 * again, in five calls into the WASM backend; here a statement text is parsed once per process and
 * then runs as one Bind/Execute/Sync call, which costs a quarter of the CPU (docs/benchmarks.md).
 * Rows, parameters and errors are what `query` gives: PGlite's own type parsers and serializers, and
 * its DatabaseError with the PostgreSQL code. Locking is PGlite's: a statement outside a transaction
 * waits for the transaction lock, as `query` does; inside one, it runs under the transaction.
 */
export class PreparedStatements {
  private readonly prepared = new Map<string, Prepared>();
  private counter = 0;

  constructor(private readonly db: PGlite) {}

  /**
   * Prepared statements on `db`, planned once: in PGlite, planning the list page costs about five
   * times its execution, and the custom plans PostgreSQL would otherwise keep choosing (a LIMIT
   * parameter makes the generic plan look dearer) gain nothing on user-scoped indexed statements.
   */
  static async on(db: PGlite): Promise<PreparedStatements> {
    await db.exec('SET plan_cache_mode = force_generic_plan');
    return new PreparedStatements(db);
  }

  query(text: string, params: unknown[] = []): Promise<{ rows: Row[] }> {
    return this.db._runExclusiveTransaction(() => this.run(text, params, true));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(() => work({ query: (text, params = []) => this.run(text, params, false) }));
  }

  private run(text: string, params: unknown[], syncToFs: boolean): Promise<{ rows: Row[] }> {
    return this.db.runExclusive(async () => {
      const statement = this.recall(text) ?? (await this.prepare(text));
      const values = params.map((value, i): string | null => {
        if (value === null || value === undefined) return null;
        const serializer = this.db.serializers[statement.paramTypes[i] ?? 0];
        return serializer ? serializer(value) : typeof value === 'string' ? value : JSON.stringify(value);
      });
      const answer = await this.answerTo(bindExecuteSync(statement.name, values), syncToFs);
      const fields = dataRowsOf(answer) ?? this.failure(answer);
      return { rows: fields.map((values) => this.row(statement, values)) };
    });
  }

  /** The prepared statement of `text`, now the most recently used one. */
  private recall(text: string): Prepared | undefined {
    const statement = this.prepared.get(text);
    if (statement) {
      this.prepared.delete(text);
      this.prepared.set(text, statement);
    }
    return statement;
  }

  private async prepare(text: string): Promise<Prepared> {
    const name = `s${++this.counter}`;
    const messages = this.exchange(
      await this.answerTo(concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), false),
    );
    let paramTypes: number[] = [];
    let fields: Prepared['fields'] = [];
    for (const message of messages) {
      if (message instanceof protocol.messages.ParameterDescriptionMessage) paramTypes = message.dataTypeIDs;
      if (message instanceof protocol.messages.RowDescriptionMessage) fields = message.fields.map(({ name: column, dataTypeID }) => ({ name: column, dataTypeID }));
    }
    const statement = { name, paramTypes, fields };
    this.prepared.set(text, statement);
    if (this.prepared.size > MAX_PREPARED) await this.closeOldest();
    return statement;
  }

  private async closeOldest(): Promise<void> {
    const [text, oldest] = this.prepared.entries().next().value ?? [];
    if (text === undefined || !oldest) return;
    this.prepared.delete(text);
    this.exchange(await this.answerTo(concat([serialize.close({ type: 'S', name: oldest.name }), serialize.sync()]), false));
  }

  /**
   * The backend's whole answer to `message`. The stream form, because `execProtocolRaw` also parses
   * every message into objects (copying each field) that nothing here reads. A chunk is a view of
   * PGlite's WASM memory, valid only during the call: each is copied.
   */
  private async answerTo(message: Uint8Array, syncToFs: boolean): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    await this.db.execProtocolRawStream(message, {
      syncToFs,
      onRawData: (chunk) => {
        chunks.push(chunk.slice());
      },
    });
    return chunks.length === 1 ? chunks[0]! : concat(chunks);
  }

  /** Throws the error an answer holds, as PGlite's parser reads it (code, detail, position …). */
  private failure(answer: Uint8Array): never {
    this.exchange(answer);
    throw new Error('PGlite answered with an error its parser did not find');
  }

  /** The backend's answer as messages; its error (after the Sync that ends it) is thrown. */
  private exchange(raw: Uint8Array): unknown[] {
    const messages: unknown[] = [];
    let error: Error | undefined;
    new Parser().parse(raw, (message) => {
      if (message instanceof protocol.messages.DatabaseError) error ??= message;
      else messages.push(message);
    });
    if (error) throw error;
    return messages;
  }

  private row(statement: Prepared, values: RowFields): Row {
    const row: Row = {};
    const { fields } = statement;
    for (let i = 0; i < fields.length; i++) {
      const { name, dataTypeID } = fields[i]!;
      const value = values[i] ?? null;
      // Looked up per row: refreshArrayTypes() may add parsers after a statement was prepared.
      const parse = this.db.parsers[dataTypeID];
      row[name] = value === null || !parse ? value : parse(value, dataTypeID);
    }
    return row;
  }
}
