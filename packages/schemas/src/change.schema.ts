import { z } from 'zod';
import { isoDateTimeSchema, queryInteger, uuidSchema } from './common.schema.js';
import { taskSchema } from './task.schema.js';

export const CHANGE_TYPES = ['task:created', 'task:updated', 'task:deleted'] as const;
export const CHANGES_LIMIT_MAX = 1000;
export const CHANGES_LIMIT_DEFAULT = 100;
export const HISTORY_LIMIT_MAX = 200;
export const HISTORY_LIMIT_DEFAULT = 50;
/** Longest change cursor accepted; real ones are far shorter. */
export const CHANGE_CURSOR_MAX_LENGTH = 200;

export const changeTypeSchema = z.enum(CHANGE_TYPES);
export type ChangeType = z.infer<typeof changeTypeSchema>;

const changeCursorSchema = z.string().min(1).max(CHANGE_CURSOR_MAX_LENGTH);

/** One committed write of a task: `cursor` is its position in the owner's feed. */
export const changeSchema = z.strictObject({
  cursor: z.string(),
  type: changeTypeSchema,
  taskId: uuidSchema,
  at: isoDateTimeSchema,
  /** The task after the change; null when it was deleted. */
  task: taskSchema.nullable(),
  /** The fields a `task:updated` changed; empty for the other types. */
  changed: z.array(z.string()),
}).meta({ id: 'Change' });
export type Change = z.infer<typeof changeSchema>;

/** Query of `GET /api/tasks/changes`: the changes after `since`, oldest first. */
export const changesQuerySchema = z.strictObject({
  since: changeCursorSchema.optional(),
  limit: queryInteger(1, CHANGES_LIMIT_MAX).default(CHANGES_LIMIT_DEFAULT),
});
export type ChangesQueryInput = z.input<typeof changesQuerySchema>;
export type ChangesQuery = z.output<typeof changesQuerySchema>;

export const changesPageSchema = z.strictObject({
  items: z.array(changeSchema),
  /** The last change returned (or `since` when none): the next request's `since`. */
  cursor: z.string(),
  hasMore: z.boolean(),
}).meta({ id: 'ChangesPage' });
export type ChangesPage = z.infer<typeof changesPageSchema>;

/** Query of `GET /api/tasks/:id/history`: newest first, continued by the opaque `nextCursor`. */
export const historyQuerySchema = z.strictObject({
  limit: queryInteger(1, HISTORY_LIMIT_MAX).default(HISTORY_LIMIT_DEFAULT),
  cursor: changeCursorSchema.optional(),
});
export type HistoryQueryInput = z.input<typeof historyQuerySchema>;
export type HistoryQuery = z.output<typeof historyQuerySchema>;

export const historyPageSchema = z.strictObject({
  items: z.array(changeSchema),
  nextCursor: z.string().nullable(),
}).meta({ id: 'HistoryPage' });
export type HistoryPage = z.infer<typeof historyPageSchema>;
