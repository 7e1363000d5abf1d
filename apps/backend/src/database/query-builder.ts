import {
  type CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type { DB } from '../generated/kysely/db.js';

/**
 * Kysely as a typed query builder only: tables, columns and result types come from `DB`, generated
 * from schema.prisma by prisma-kysely. Queries are compiled (`.compile()`) and run by DirectSql on the
 * connections Prisma uses, so transactions and deadlines stay DirectSql's; this instance never connects.
 */
export const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

export type { CompiledQuery };

/** `startedAt` → `started_at`: the column name Prisma maps a field to in this schema. */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;

export function snakeCase<S extends string>(field: S): SnakeCase<S> {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as SnakeCase<S>;
}

/** A field's select expression: its column, aliased to the field name when they differ. */
type Aliased<F extends string> = F extends string ? (SnakeCase<F> extends F ? F : `${SnakeCase<F>} as ${F}`) : never;

/**
 * The select list that gives rows the Prisma model's field names, built from the model's field
 * names (Prisma's `…ScalarFieldEnum`); Kysely checks each `column as field` against `DB`.
 */
export function fieldsOf<F extends string>(fields: Record<string, F>): Aliased<F>[] {
  return Object.values(fields).map((field) => {
    const column = snakeCase(field);
    return (column === field ? field : `${column} as ${field}`) as Aliased<F>;
  });
}

/**
 * Statements given a name, at most: each costs every pooled connection 50–100 KB of PostgreSQL's
 * memory once used (parse tree and plans; 615 shapes took 48 MB), and shapes are the client's to
 * pick. The statements prepared at module load come first; shapes past the limit run unnamed.
 */
export const NAMED_STATEMENTS_LIMIT = 100;

/** Names given so far; each `prepare` (a fixed SQL text) takes the next one. */
let named = 0;

/** Stands for argument `index` while a query is compiled once by `prepare`. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * Builds and compiles `build`'s query ONCE, with a placeholder per argument, and answers each call
 * with that SQL and the call's arguments in the placeholders' places: substituting parameters costs
 * a small fraction of building and compiling a Kysely query (figures in docs/database.md).
 * `build` must give the same SQL for every argument value (branch on values outside it, e.g. one
 * `prepare` per shape). `arity` counts rest parameters too. The statement is named, so DirectSql
 * can have PostgreSQL parse and plan it once per connection (a `name` beside CompiledQuery's fields,
 * which keep the row type), up to NAMED_STATEMENTS_LIMIT.
 */
export function prepare<A extends unknown[], O>(
  build: (...args: A) => { compile(): CompiledQuery<O> },
  arity = build.length,
): (...args: A) => CompiledQuery<O> {
  const slots = Array.from({ length: arity }, (_, index) => new Slot(index));
  const compiled = build(...(slots as A)).compile();
  const sources = compiled.parameters.map((value) => (value instanceof Slot ? value.index : -1));
  const constants = compiled.parameters;
  const statement = named < NAMED_STATEMENTS_LIMIT ? { ...compiled, name: `tasks_${++named}` } : compiled;
  return (...args: A) => ({
    ...statement,
    parameters: sources.map((source, i) => (source < 0 ? constants[i] : args[source])),
  });
}
