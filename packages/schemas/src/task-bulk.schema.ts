import { z } from 'zod';
import { problemSchema, uuidSchema } from './common.schema.js';
import { TEXT_MAX_LENGTH, taskSchema, taskStatusSchema } from './task.schema.js';

/** Most ids one `POST /api/tasks/bulk` takes. */
export const BULK_IDS_MAX = 100;

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
