import { z } from 'zod';
import { problemSchema, uuidSchema } from './common.schema.js';
import { errorMessageSchema, taskSchema, taskStatusSchema } from './task.schema.js';

export const BULK_MAX_IDS = 100;

/** `POST /api/tasks/bulk`: one status change, or deletion, applied to each id on its own. */
export const bulkChangeSchema = z
  .strictObject({
    ids: z.array(uuidSchema).min(1).max(BULK_MAX_IDS),
    status: taskStatusSchema.optional(),
    errorMessage: errorMessageSchema.optional(),
    delete: z.literal(true).optional(),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    (Array.isArray(body.ids) ? body.ids : []).forEach((id, index) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['ids', index], message: 'Duplicate id; each id may appear once' });
      seen.add(id);
    });
    if ((body.status === undefined) === (body.delete === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'Send exactly one of status and delete' });
    }
    if (body.errorMessage !== undefined && body.status === undefined) {
      ctx.addIssue({ code: 'custom', path: ['errorMessage'], message: 'errorMessage goes with status' });
    }
  });
export type BulkChangeInput = z.infer<typeof bulkChangeSchema>;

/** One id's outcome: the single route's status, and its task (200) or its problem (404, 409, 503). */
export const bulkResultSchema = z
  .strictObject({
    id: uuidSchema,
    status: z.union([z.literal(200), z.literal(204), z.literal(404), z.literal(409), z.literal(503)]),
    /** On 200; left out when the answer would otherwise grow past 1 MiB (GET the task instead). */
    task: taskSchema.optional(),
    problem: problemSchema.optional(),
  })
  .meta({ id: 'BulkResult' });
export type BulkResult = z.infer<typeof bulkResultSchema>;

export const bulkResponseSchema = z.strictObject({ results: z.array(bulkResultSchema) }).meta({ id: 'BulkResponse' });
export type BulkResponse = z.infer<typeof bulkResponseSchema>;
