import type { Selection } from 'kysely';
import { fieldsOf } from '../database/query-builder.js';
import type { DB } from '../generated/kysely/db.js';
import { Prisma } from '../generated/prisma/client.js';

/** The task's columns, aliased to the model's field names (checked against `DB` by Kysely). */
export const TASK_SELECTION = fieldsOf(Prisma.TaskScalarFieldEnum);

/** A task row as every statement returns it. */
export type TaskRow = Selection<DB, 'tasks', (typeof TASK_SELECTION)[number]>;
