import type { TaskSort } from '@tasks/schemas';
import { Prisma } from '../generated/prisma/client.js';

// Sort key of each list order; the id breaks ties in the same direction.
// PostgreSQL orders the priority enum as declared (LOW < MEDIUM < HIGH < URGENT).
const SORT_KEYS: Record<TaskSort, readonly [column: string, direction: 'ASC' | 'DESC']> = {
  createdAt: ['created_at', 'ASC'],
  '-createdAt': ['created_at', 'DESC'],
  updatedAt: ['updated_at', 'ASC'],
  '-updatedAt': ['updated_at', 'DESC'],
  priority: ['priority', 'ASC'],
  '-priority': ['priority', 'DESC'],
};

/** `ORDER BY` keys of `sort`, qualified with `table` when given (constants only, no input). */
function orderBy(sort: TaskSort, table = ''): Prisma.Sql {
  const [column, direction] = SORT_KEYS[sort];
  const q = table ? `${table}.` : '';
  return Prisma.raw(`${q}${column} ${direction}, ${q}id ${direction}`);
}

// Built once: the page's own order, and the same keys on its alias `p` for the outer query.
export const ORDER_BY = Object.fromEntries(
  (Object.keys(SORT_KEYS) as TaskSort[]).map((sort) => [sort, { inner: orderBy(sort), outer: orderBy(sort, 'p') }]),
) as Record<TaskSort, { inner: Prisma.Sql; outer: Prisma.Sql }>;

/** `column IN (…)` over enum values, each parameter cast to the column's enum type. */
export function inEnum(column: Prisma.Sql, type: Prisma.Sql, values: readonly string[]): Prisma.Sql {
  if (values.length === 0) return Prisma.sql`false`;
  return Prisma.sql`${column} IN (${Prisma.join(values.map((value) => Prisma.sql`${value}::${type}`))})`;
}
