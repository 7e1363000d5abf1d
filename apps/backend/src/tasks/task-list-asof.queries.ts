import type { TaskPriority, TaskStatus } from '@tasks/schemas';
import { type RawBuilder, sql } from 'kysely';
import { db } from '../database/query-builder.js';
import type { ListPosition } from './task-list-cursor.js';
import { type ListQuery, matching, type PageRow, SORT_KEYS } from './task-list.queries.js';
import { TASK_SELECTION } from './task-row.js';

/** A row of a page read as of a walk's snapshot; `expired`: a change after the snapshot is no longer kept. */
export type AsOfPageRow = PageRow & { expired: boolean };

/** The value a field had before the earliest change after the snapshot that changed it (jsonb; SQL null when none did). */
function earliestPrevious(field: string) {
  return sql<unknown>`(array_agg(previous -> ${field}::text ORDER BY seq) FILTER (WHERE previous -> ${field}::text IS NOT NULL))[1]`;
}

/** A field's value as of the snapshot: the earliest previous value, else the current column. */
function asOf<T>(previous: string, cast: RawBuilder<unknown>, column: string): RawBuilder<T> {
  return sql<T>`CASE WHEN ${sql.ref(`l.${previous}`)} IS NULL THEN ${sql.ref(`tasks.${column}`)} ELSE (${sql.ref(`l.${previous}`)} #>> '{}')::${cast} END`;
}

const AS_OF = {
  status: asOf<TaskStatus>('prev_status', sql`"TaskStatus"`, 'status'),
  priority: asOf<TaskPriority>('prev_priority', sql`"TaskPriority"`, 'priority'),
  updated_at: asOf<Date>('prev_updated_at', sql`timestamptz`, 'updated_at'),
  created_at: sql<Date>`tasks.created_at`,
  title: asOf<string>('prev_title', sql`text`, 'title'),
  description: asOf<string | null>('prev_description', sql`text`, 'description'),
} as const;

/**
 * One page of a cursor walk pinned to feed position S (`after.snapshot`), as of S: tasks changed
 * after S ("moved": task_changes seq > S, found by the (user_id, seq) key) are filtered and placed
 * by their state at S, rebuilt from the `previous` values of their earliest changes after S; the
 * others (and tasks created after S) by their current row through the sort's keyset index, so a
 * page costs what page 1 does when nothing moved. Both parts are limited, merged and limited again.
 * Rows are the tasks as they are now; the count, change_seq and whether the changes after S are
 * still all kept are read in the same statement.
 */
export function listPageAsOf(userId: string, list: ListQuery & { after: ListPosition }, retentionSeconds: number) {
  const { column, type, direction } = SORT_KEYS[list.sort];
  const { key, id, snapshot } = list.after;
  const op = direction === 'asc' ? sql`>` : sql`<`;
  const walkKey: RawBuilder<Date | TaskPriority> = AS_OF[column];
  return db
    .with('later', (qb) =>
      qb
        .selectFrom('task_changes')
        .select([
          'task_id',
          sql<boolean>`bool_or(type = 'task:created')`.as('created'),
          earliestPrevious('status').as('prev_status'),
          earliestPrevious('priority').as('prev_priority'),
          earliestPrevious('updatedAt').as('prev_updated_at'),
          earliestPrevious('title').as('prev_title'),
          earliestPrevious('description').as('prev_description'),
        ])
        .where('user_id', '=', userId)
        .where('seq', '>', sql<string>`${snapshot}::bigint`)
        .groupBy('task_id'),
    )
    .with('moved', (qb) => qb.selectFrom('later').select('task_id').where('created', '=', false))
    .selectFrom(
      matching(db.selectFrom('tasks'), userId, list)
        .select((eb) => [
          sql<number>`count(*)::int`.as('total'),
          eb.selectFrom('users').select(sql<string>`change_seq::text`.as('s')).where('users.id', '=', userId).as('changeSeq'),
          // The change feed's rule (ChangesService): expired when changes follow S and the first of
          // them is gone or past the retention (retention prunes a prefix, so the rest is kept).
          eb
            .selectFrom('users')
            .select((u) =>
              u
                .and([
                  u('change_seq', '>', sql<string>`${snapshot}::bigint`),
                  u.not(
                    u.exists(
                      u
                        .selectFrom('task_changes as k')
                        .select(sql.lit(1).as('one'))
                        .whereRef('k.user_id', '=', 'users.id')
                        .where('k.seq', '=', sql<string>`${snapshot}::bigint + 1`)
                        .where('k.at', '>=', sql<Date>`now() - make_interval(secs => ${retentionSeconds}::int)`),
                    ),
                  ),
                ])
                .as('e'),
            )
            .where('users.id', '=', userId)
            .as('expired'),
        ])
        .as('c'),
    )
    .leftJoinLateral(
      (eb) => {
        const unmoved = matching(eb.selectFrom('tasks'), userId, list)
          .select(TASK_SELECTION)
          .select(sql.ref<Date | TaskPriority>(column).as('walkKey'))
          .where('id', 'not in', eb.selectFrom('moved').select('task_id'))
          .where(sql<boolean>`(${sql.ref(column)}, id) ${op} (${key}::${type}, ${id}::uuid)`)
          .orderBy(column, direction)
          .orderBy('id', direction)
          .limit(list.limit);
        let moved = eb
          .selectFrom('tasks')
          .innerJoin('later as l', 'l.task_id', 'tasks.id')
          .select(TASK_SELECTION)
          .select(walkKey.as('walkKey'))
          .where('tasks.user_id', '=', userId)
          .where('tasks.deleted_at', 'is', null)
          .where('l.created', '=', false)
          .where(sql<boolean>`(${walkKey}, tasks.id) ${op} (${key}::${type}, ${id}::uuid)`);
        if (list.status) moved = moved.where(AS_OF.status, 'in', [...list.status]);
        if (list.priority) moved = moved.where(AS_OF.priority, 'in', [...list.priority]);
        // The generated search_vector's expression (migration 20261130030000_task_search) over the values at S.
        if (list.q !== undefined) {
          moved = moved.where(
            sql<boolean>`(setweight(to_tsvector('simple'::regconfig, COALESCE(${AS_OF.title}, '')), 'A')
              || setweight(to_tsvector('simple'::regconfig, COALESCE(${AS_OF.description}, '')), 'B'))
              @@ websearch_to_tsquery('simple', ${list.q})`,
          );
        }
        moved = moved.orderBy(walkKey, direction).orderBy('tasks.id', direction).limit(list.limit);
        // Each part as a subquery, so its ORDER BY and LIMIT stay its own.
        return eb
          .selectFrom(eb.selectFrom(unmoved.as('a')).selectAll().unionAll(eb.selectFrom(moved.as('b')).selectAll()).as('u'))
          .selectAll()
          .orderBy('walkKey', direction)
          .orderBy('id', direction)
          .limit(list.limit)
          .as('p');
      },
      (join) => join.onTrue(),
    )
    .select(['c.total', 'c.changeSeq', 'c.expired'])
    .selectAll('p')
    .orderBy('p.walkKey', direction)
    .orderBy('p.id', direction);
}
