import { z } from 'zod';
import { isoDateTimeSchema, uuidSchema } from './common.schema.js';

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
export const TASK_LOGS_KEPT = 200;
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;
/** Largest offset accepted; beyond it a page would always be empty anyway. */
export const LIST_OFFSET_MAX = 2_147_483_647;

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

const titleSchema = z.string().trim().min(1).max(TITLE_MAX_LENGTH).refine(noNul, NO_NUL);
const descriptionSchema = z.string().max(TEXT_MAX_LENGTH).refine(noNul, NO_NUL).nullable();
const errorMessageSchema = z.string().max(TEXT_MAX_LENGTH).refine(noNul, NO_NUL).nullable();

export const taskLogEntrySchema = z.strictObject({
  at: isoDateTimeSchema,
  level: taskLogLevelSchema,
  message: z.string(),
}).meta({ id: 'TaskLogEntry' });
export type TaskLogEntry = z.infer<typeof taskLogEntrySchema>;

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
  logs: z.array(taskLogEntrySchema),
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
  });
export type UpdateTaskInput = z.infer<typeof updateTaskSchema>;

export const replaceTaskSchema = z.strictObject({
  title: titleSchema,
  description: descriptionSchema,
  priority: taskPrioritySchema,
  status: taskStatusSchema,
});
export type ReplaceTaskInput = z.infer<typeof replaceTaskSchema>;

export const appendLogSchema = z.strictObject({
  message: z.string().trim().min(1).max(TEXT_MAX_LENGTH).refine(noNul, NO_NUL),
  level: taskLogLevelSchema.default('info'),
});
export type AppendLogInput = z.infer<typeof appendLogSchema>;

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
    .meta({ description: `One of ${values.join(', ')}, or several separated by commas` });
}

/** A non-negative integer written in decimal digits only (no signs, blanks, exponents). */
function digits(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,10}$/, 'Expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** Query of `GET /api/tasks`; every value arrives as a string and unknown keys are a 400. */
export const taskFilterSchema = z.strictObject({
  status: commaList(TASK_STATUSES).optional(),
  priority: commaList(TASK_PRIORITIES).optional(),
  limit: digits(1, LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
  offset: digits(0, LIST_OFFSET_MAX).default(0),
  sort: taskSortSchema.default('-createdAt'),
});
export type TaskFilterQuery = z.input<typeof taskFilterSchema>;
export type TaskFilter = z.output<typeof taskFilterSchema>;

export const taskListSchema = z.strictObject({
  items: z.array(taskSchema),
  total: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(LIST_LIMIT_MAX),
  offset: z.number().int().nonnegative(),
}).meta({ id: 'TaskList' });
export type TaskList = z.infer<typeof taskListSchema>;
