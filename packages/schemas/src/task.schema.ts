import { z } from 'zod';
import { isoDateTimeSchema, queryInteger, uuidSchema } from './common.schema.js';

export const TASK_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export const TASK_PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export const TASK_LOG_LEVELS = ['info', 'warn', 'error'] as const;
export const TASK_SORTS = [
  'createdAt',
  '-createdAt',
  'updatedAt',
  '-updatedAt',
  'priority',
  '-priority',
] as const;

export const TITLE_MAX_LENGTH = 200;
export const TEXT_MAX_LENGTH = 2000;
/** Default of TASKS_LOG_LIMIT: the newest entries kept per task. */
export const TASK_LOGS_KEPT = 200;
/** A log message is at most this many bytes of UTF-8 (besides at most TEXT_MAX_LENGTH characters). */
export const LOG_MESSAGE_MAX_BYTES = 8 * 1024;
export const LOG_PAGE_LIMIT_MAX = 200;
export const LOG_PAGE_LIMIT_DEFAULT = 50;
/** Longest log cursor accepted; real ones are far shorter. */
export const LOG_CURSOR_MAX_LENGTH = 200;
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;
/** Largest offset accepted; beyond it a page would always be empty anyway. */
export const LIST_OFFSET_MAX = 2_147_483_647;
/** Longest list cursor accepted; real ones are far shorter. */
export const LIST_CURSOR_MAX_LENGTH = 500;
/** `q=` is 1 to this many characters after trimming. */
export const SEARCH_MAX_LENGTH = 200;

export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;
export const taskPrioritySchema = z.enum(TASK_PRIORITIES);
export type TaskPriority = z.infer<typeof taskPrioritySchema>;
export const taskLogLevelSchema = z.enum(TASK_LOG_LEVELS);
export type TaskLogLevel = z.infer<typeof taskLogLevelSchema>;
export const taskSortSchema = z.enum(TASK_SORTS);
export type TaskSort = z.infer<typeof taskSortSchema>;

/** Allowed lifecycle moves; setting the current status again is a no-op, not a move. */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  PENDING: ['RUNNING', 'COMPLETED', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  FAILED: ['PENDING'],
  COMPLETED: ['PENDING'],
  CANCELLED: ['PENDING'],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000 or unpaired surrogates (e.g. a lone "\ud800" escape):
 * refuse them with a 400 instead of failing in the database.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const noNul = (value: string) => !value.includes('\u0000') && !LONE_SURROGATE.test(value);
const NO_NUL = { message: 'Must be well-formed Unicode text without the NUL character (U+0000)' };
/** The same rule for the OpenAPI document: no U+0000, no lone surrogate (any JSON Schema regex dialect). */
const WELL_FORMED_TEXT = '^(?:[^\\u0000\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$';
/** … and at least one non-blank character: the value is trimmed before its length is checked. */
const NOT_BLANK_TEXT = '^(?=[\\s\\S]*\\S)(?:[^\\u0000\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$';

const titleSchema = z
  .string()
  .trim()
  .min(1)
  .max(TITLE_MAX_LENGTH)
  .refine(noNul, NO_NUL)
  .meta({ pattern: NOT_BLANK_TEXT, description: 'Trimmed; not blank; no U+0000 or lone surrogate' });
const textSchema = z.string().max(TEXT_MAX_LENGTH).refine(noNul, NO_NUL).meta({ pattern: WELL_FORMED_TEXT });
const descriptionSchema = textSchema.nullable();
export const errorMessageSchema = textSchema.nullable();

export const logEntrySchema = z.strictObject({
  id: uuidSchema,
  at: isoDateTimeSchema,
  level: taskLogLevelSchema,
  message: z.string(),
}).meta({ id: 'LogEntry' });
export type LogEntry = z.infer<typeof logEntrySchema>;

export const taskSchema = z.strictObject({
  id: uuidSchema,
  title: z.string(),
  description: z.string().nullable(),
  status: taskStatusSchema,
  priority: taskPrioritySchema,
  startedAt: isoDateTimeSchema.nullable(),
  completedAt: isoDateTimeSchema.nullable(),
  failedAt: isoDateTimeSchema.nullable(),
  errorMessage: z.string().nullable(),
  /** Entries kept (the newest TASKS_LOG_LIMIT); the entries themselves are under /api/tasks/:id/logs. */
  logCount: z.number().int().nonnegative(),
  lastLog: logEntrySchema.nullable(),
  version: z.number().int().positive(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
}).meta({ id: 'Task' });
export type Task = z.infer<typeof taskSchema>;

export const createTaskSchema = z.strictObject({
  title: titleSchema,
  description: descriptionSchema.optional(),
  priority: taskPrioritySchema.optional(),
});
export type CreateTaskInput = z.infer<typeof createTaskSchema>;

export const updateTaskSchema = z
  .strictObject({
    title: titleSchema.optional(),
    description: descriptionSchema.optional(),
    status: taskStatusSchema.optional(),
    priority: taskPrioritySchema.optional(),
    errorMessage: errorMessageSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, {
    message: 'At least one of title, description, status, priority, errorMessage is required',
  })
  .meta({ minProperties: 1 });
export type UpdateTaskInput = z.infer<typeof updateTaskSchema>;

export const replaceTaskSchema = z.strictObject({
  title: titleSchema,
  description: descriptionSchema,
  priority: taskPrioritySchema,
  status: taskStatusSchema,
});
export type ReplaceTaskInput = z.infer<typeof replaceTaskSchema>;

/** Bytes of `value` in UTF-8 (well-formed text: lone surrogates are refused before this runs). */
export function utf8Bytes(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export const appendLogSchema = z.strictObject({
  message: z
    .string()
    .trim()
    .min(1)
    .max(TEXT_MAX_LENGTH)
    .refine(noNul, NO_NUL)
    .refine((value) => utf8Bytes(value) <= LOG_MESSAGE_MAX_BYTES, {
      message: `Must be at most ${LOG_MESSAGE_MAX_BYTES} bytes of UTF-8`,
    })
    .meta({ pattern: NOT_BLANK_TEXT, description: `Trimmed; not blank; at most ${LOG_MESSAGE_MAX_BYTES} bytes of UTF-8` }),
  level: taskLogLevelSchema.default('info'),
});
export type AppendLogInput = z.infer<typeof appendLogSchema>;

/** Query of `GET /api/tasks/:id/logs`: newest first, continued by the opaque `nextCursor`. */
export const logPageQuerySchema = z.strictObject({
  limit: queryInteger(1, LOG_PAGE_LIMIT_MAX).default(LOG_PAGE_LIMIT_DEFAULT),
  cursor: z.string().min(1).max(LOG_CURSOR_MAX_LENGTH).optional(),
});
export type LogPageQueryInput = z.input<typeof logPageQuerySchema>;
export type LogPageQuery = z.output<typeof logPageQuerySchema>;

export const logPageSchema = z.strictObject({
  items: z.array(logEntrySchema),
  nextCursor: z.string().nullable(),
}).meta({ id: 'LogPage' });
export type LogPage = z.infer<typeof logPageSchema>;

/** `a` or `a,b,c` of one enum; duplicates collapse. Errors name the parameter, not an index in it. */
function commaList<const T extends readonly [string, ...string[]]>(values: T) {
  const allowed = new Set<string>(values);
  const isAllowed = (item: string): item is T[number] => allowed.has(item);
  return z
    .string()
    .transform((raw, ctx): T[number][] => {
      const items = [...new Set(raw.split(','))];
      if (raw === '' || !items.every(isAllowed)) {
        ctx.addIssue({ code: 'custom', message: `Expected one or more of ${values.join(', ')}, separated by commas` });
        return z.NEVER;
      }
      return items;
    })
    .meta({
      description: `One of ${values.join(', ')}, or several separated by commas`,
      pattern: `^(?:${values.join('|')})(?:,(?:${values.join('|')}))*$`,
    });
}

/**
 * Query of `GET /api/tasks`; every value arrives as a string and unknown keys are a 400. `cursor`
 * (a `nextCursor`) continues a walk whose filters and sort it carries: it goes without `offset`.
 */
export const taskFilterSchema = z
  .strictObject({
    status: commaList(TASK_STATUSES).optional(),
    priority: commaList(TASK_PRIORITIES).optional(),
    q: z
      .string()
      .trim()
      .min(1)
      .max(SEARCH_MAX_LENGTH)
      .refine(noNul, NO_NUL)
      .optional()
      .meta({ description: 'Words of the title or description (PostgreSQL web search syntax: "phrase", or, -not)' }),
    limit: queryInteger(1, LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
    offset: queryInteger(0, LIST_OFFSET_MAX).optional().meta({ description: 'Rows to skip (default 0); not with cursor' }),
    cursor: z
      .string()
      .min(1)
      .max(LIST_CURSOR_MAX_LENGTH)
      .optional()
      .meta({ description: 'nextCursor of the previous page; send the same status, priority, q and sort with it' }),
    sort: taskSortSchema.default('-createdAt'),
  })
  .refine((query) => query.cursor === undefined || query.offset === undefined, {
    path: ['offset'],
    message: 'offset cannot be combined with cursor',
  })
  .transform((query) => ({ ...query, offset: query.offset ?? 0 }));
export type TaskFilterQuery = z.input<typeof taskFilterSchema>;
export type TaskFilter = z.output<typeof taskFilterSchema>;

export const taskListSchema = z.strictObject({
  items: z.array(taskSchema),
  total: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(LIST_LIMIT_MAX),
  offset: z.number().int().nonnegative(),
  /** Continues with the same filters and sort; null on the last page. */
  nextCursor: z.string().nullable(),
  /** The change feed's position of the snapshot this page was read from: follow the feed from here. */
  changesCursor: z.string(),
}).meta({ id: 'TaskList' });
export type TaskList = z.infer<typeof taskListSchema>;

const countsOf = <const T extends readonly string[]>(keys: T) =>
  z.strictObject(Object.fromEntries(keys.map((key) => [key, z.number().int().nonnegative()])) as Record<T[number], z.ZodNumber>);

/** `GET /api/tasks/stats`: counts over the user's live tasks. */
export const taskStatsSchema = z.strictObject({
  total: z.number().int().nonnegative(),
  byStatus: countsOf(TASK_STATUSES),
  byPriority: countsOf(TASK_PRIORITIES),
}).meta({ id: 'TaskStats' });
export type TaskStats = z.infer<typeof taskStatsSchema>;
