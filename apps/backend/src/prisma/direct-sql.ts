import type { Prisma } from '../generated/prisma/client.js';

/**
 * Runs a `Prisma.sql` statement on the connection Prisma itself uses (its pg pool, or the embedded
 * PGlite), without the Prisma client's request pipeline in between. That pipeline cost 70–100 µs of
 * CPU per statement against 30–40 µs for the statement through `pg` (docs/benchmarks.md §7), so the
 * statements every request runs (the token check, reading a task, a list page) come this way; the
 * rest stay on the client. Only repositories inject it, like PrismaService.
 */
export abstract class DirectSql {
  abstract query<T>(statement: Prisma.Sql): Promise<T[]>;
}

/** Anything with `query(text, params)` resolving to `{ rows }`: a pg Pool, or PGlite. */
interface Queryable {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

export function directSqlOn(queryable: Queryable): DirectSql {
  return {
    query: async <T>(statement: Prisma.Sql) => (await queryable.query(statement.text, statement.values)).rows as T[],
  };
}
