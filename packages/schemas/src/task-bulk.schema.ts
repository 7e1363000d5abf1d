import { z } from 'zod';
import { problemSchema, uuidSchema } from './common.schema.js';
import { TASK_PRIORITIES, TASK_STATUSES, TEXT_MAX_LENGTH, taskPrioritySchema, taskSchema, taskStatusSchema } from './task.schema.js';

/** Most ids one `POST /api/tasks/bulk` takes. */
export const BULK_IDS_MAX = 100;

/** `GET /api/tasks/stats`: counts over the user's live tasks, every status and priority present. */
export const taskStatsSchema = z.strictObject({
  total: z.number().int().nonnegative(),
  byStatus: z.record(taskStatusSchema, z.number().int().nonnegative()),
  byPriority: z.record(taskPrioritySchema, z.number().int().nonnegative()),
}).meta({ id: 'TaskStats' });
export type TaskStats = z.infer<typeof taskStatsSchema>;

/** Zero counts for every status and priority (what a user with no tasks reads). */
export function emptyTaskStats(): TaskStats {
  const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  return { total: 0, byStatus: zeros(TASK_STATUSES), byPriority: zeros(TASK_PRIORITIES) };
}

/** `POST /api/tasks/bulk`: exactly one of `status` / `delete`, each id applied on its own. */
export const bulkTasksSchema = z
  .strictObject({
    ids: z.array(uuidSchema).min(1).max(BULK_IDS_MAX),
    status: taskStatusSchema.optional(),
    errorMessage: z.string().max(TEXT_MAX_LENGTH).nullable().optional(),
    delete: z.literal(true).optional(),
  })
  .refine((body) => (body.status === undefined) !== (body.delete === undefined), {
    message: 'Exactly one of status or delete is required',
  });
export type BulkTasksInput = z.infer<typeof bulkTasksSchema>;

export const bulkItemResultSchema = z.strictObject({
  id: uuidSchema,
  status: z.union([z.literal(200), z.literal(204), z.literal(404), z.literal(409)]),
  task: taskSchema.optional(),
  problem: problemSchema.optional(),
}).meta({ id: 'BulkItemResult' });
export type BulkItemResult = z.infer<typeof bulkItemResultSchema>;

export const bulkResultSchema = z.strictObject({
  results: z.array(bulkItemResultSchema),
}).meta({ id: 'BulkResult' });
export type BulkResult = z.infer<typeof bulkResultSchema>;
