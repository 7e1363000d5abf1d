import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskSort, type TaskStatus } from '@tasks/schemas';
import { type CompiledQuery, type SelectQueryBuilder, sql } from 'kysely';
import { db, prepare } from '../database/query-builder.js';
import type { DB } from '../generated/kysely/db.js';
import type { ListPosition } from './task-list-cursor.js';
import { TASK_SELECTION, type TaskRow } from './task-row.js';

/** What one list page asks for; `after` continues a keyset walk past that position, as of its snapshot. */
export interface ListQuery {
  status?: readonly TaskStatus[];
  priority?: readonly TaskPriority[];
  q?: string;
  sort: TaskSort;
  limit: number;
  offset: number;
  after?: ListPosition;
}

/**
 * A list row: the total, the feed position, and a task's columns and sort key as of the walk's
 * snapshot (all null on the one row of an empty page).
 */
export type PageRow = Omit<TaskRow, 'id'> & { id: string | null; total: number; changeSeq: string; walkKey: Date | TaskPriority | null };

// Sort key of each list order (column, the field it is selected as, and its SQL type for the
// cursor's value); the id breaks ties in the same direction. Each has a partial index
// (user_id, key, id) WHERE deleted_at IS NULL. PostgreSQL orders the priority enum as declared
// (LOW < MEDIUM < HIGH < URGENT).
export const SORT_KEYS = {
  createdAt: { column: 'created_at', field: 'createdAt', type: sql`timestamptz`, direction: 'asc' },
  '-createdAt': { column: 'created_at', field: 'createdAt', type: sql`timestamptz`, direction: 'desc' },
  updatedAt: { column: 'updated_at', field: 'updatedAt', type: sql`timestamptz`, direction: 'asc' },
  '-updatedAt': { column: 'updated_at', field: 'updatedAt', type: sql`timestamptz`, direction: 'desc' },
  priority: { column: 'priority', field: 'priority', type: sql`"TaskPriority"`, direction: 'asc' },
  '-priority': { column: 'priority', field: 'priority', type: sql`"TaskPriority"`, direction: 'desc' },
} as const satisfies Record<TaskSort, object>;

/** A sort key as a cursor carries it. */
export function cursorKeyOf(value: Date | TaskPriority): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** The user's live tasks matching the filters (the same WHERE for the count and the page). */
export function matching<O>(query: SelectQueryBuilder<DB, 'tasks', O>, userId: string, list: ListQuery) {
  let q = query.where('user_id', '=', userId).where('deleted_at', 'is', null);
  if (list.status) q = q.where('status', 'in', [...list.status]);
  if (list.priority) q = q.where('priority', 'in', [...list.priority]);
  // Bound as a parameter and parsed by websearch_to_tsquery, which accepts any text (only
  // punctuation gives an empty query, which matches nothing).
  if (list.q !== undefined) q = q.where(sql<boolean>`search_vector @@ websearch_to_tsquery('simple', ${list.q})`);
  return q;
}

/**
 * A first or offset page, the total and the user's change_seq (the feed position the page shows,
 * which pins a cursor walk from here) in ONE statement, hence one snapshot. The count is the
 * one-row left side of a LEFT JOIN LATERAL, so an offset past the end still returns the total
 * (with no rows). Pages after a cursor are `listPageAsOf` (task-list-asof.queries.ts).
 */
function listPage(userId: string, list: ListQuery) {
  const { column, field, direction } = SORT_KEYS[list.sort];
  return db
    .selectFrom(
      matching(db.selectFrom('tasks'), userId, list)
        .select((eb) => [
          sql<number>`count(*)::int`.as('total'),
          eb.selectFrom('users').select(sql<string>`change_seq::text`.as('s')).where('users.id', '=', userId).as('changeSeq'),
        ])
        .as('c'),
    )
    .leftJoinLateral(
      () => {
        const page = matching(db.selectFrom('tasks'), userId, list)
          .select(TASK_SELECTION)
          .select(sql.ref<Date | TaskPriority>(column).as('walkKey'));
        return page.orderBy(column, direction).orderBy('id', direction).limit(list.limit).offset(list.offset).as('p');
      },
      (join) => join.onTrue(),
    )
    .select(['c.total', 'c.changeSeq'])
    .selectAll('p')
    .orderBy(`p.${field}`, direction)
    .orderBy('p.id', direction);
}

type PreparedPage = (userId: string, limit: number, offset: number, q: string, ...filters: string[]) => CompiledQuery<PageRow>;

/** `listPage` compiled, by shape. */
const PAGES = new Map<string, PreparedPage>();

/**
 * `listPage` as a compiled statement. The query is built and compiled once per shape (a bounded set:
 * six sorts, at most five statuses and four priorities, `q` or not); a request only fills in its
 * values, instead of building and compiling the query again (docs/database.md). The first shapes
 * used are also named prepared statements on PostgreSQL (query-builder.ts `prepare`).
 */
export function listPageStatement(userId: string, list: ListQuery): CompiledQuery<PageRow> {
  const statuses = list.status?.length ?? -1;
  const priorities = list.priority?.length ?? -1;
  const key = `${list.sort}|${statuses}|${priorities}|${list.q === undefined ? '' : 'q'}`;
  let page = PAGES.get(key);
  if (!page) {
    const { sort } = list;
    const withQ = list.q !== undefined;
    page = prepare<Parameters<PreparedPage>, PageRow>(
      (id: string, limit: number, offset: number, q: string, ...filters: string[]) =>
        listPage(id, {
          sort,
          limit,
          offset,
          q: withQ ? q : undefined,
          status: statuses < 0 ? undefined : (filters.slice(0, statuses) as TaskStatus[]),
          priority: priorities < 0 ? undefined : (filters.slice(Math.max(0, statuses)) as TaskPriority[]),
        }),
      4 + Math.max(0, statuses) + Math.max(0, priorities),
    );
    PAGES.set(key, page);
  }
  return page(userId, list.limit, list.offset, list.q ?? '', ...(list.status ?? []), ...(list.priority ?? []));
}

/** Live tasks counted in total, per status and per priority: one scan, one statement. */
export const countLive = prepare((userId: string) =>
  db
    .selectFrom('tasks')
    .select((eb) => [
      eb.cast<number>(eb.fn.countAll(), 'integer').as('total'),
      ...TASK_STATUSES.map((status) =>
        eb.cast<number>(eb.fn.countAll().filterWhere('status', '=', status), 'integer').as(`status:${status}`),
      ),
      ...TASK_PRIORITIES.map((priority) =>
        eb.cast<number>(eb.fn.countAll().filterWhere('priority', '=', priority), 'integer').as(`priority:${priority}`),
      ),
    ])
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null),
);
