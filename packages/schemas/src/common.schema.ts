import { z } from 'zod';

/** ISO-8601 UTC timestamp with milliseconds, as every API timestamp is serialised. */
export const isoDateTimeSchema = z.iso.datetime({ precision: 3 });

export const uuidSchema = z.uuid();

/** A query parameter holding a non-negative integer in decimal digits only (no signs, blanks, exponents). */
export function queryInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,10}$/, 'Expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    // Documented as the integer it is: query values arrive as text and are parsed by the rule above.
    .meta({ type: 'integer', minimum: min, maximum: max, pattern: undefined });
}

export const idParamSchema = z.strictObject({ id: uuidSchema });
export type IdParam = z.infer<typeof idParamSchema>;

/** One field-level validation failure inside a problem document. */
export const problemFieldErrorSchema = z.object({
  path: z.string(),
  message: z.string(),
}).meta({ id: 'ProblemFieldError' });
export type ProblemFieldError = z.infer<typeof problemFieldErrorSchema>;

/** RFC 9457 problem document: the body of every error response. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  instance: z.string(),
  requestId: z.string().optional(),
  /** On 5xx answers when tracing is on: the OpenTelemetry trace id of the request. */
  traceId: z.string().optional(),
  errors: z.array(problemFieldErrorSchema).optional(),
}).meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;
