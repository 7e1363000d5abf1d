import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ProblemFieldError } from '@tasks/schemas';
import { RequestValidationError } from './domain-error.js';

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map(String)
    .join('.');
}

/**
 * Standard Schema issues → field errors. Zod reports unknown keys once at the object's path;
 * each key gets its own entry so clients can point at the offending field.
 */
export function toFieldErrors(issues: readonly StandardSchemaV1.Issue[]): ProblemFieldError[] {
  return issues.flatMap((issue) => {
    const base = pathOf(issue);
    const keys = (issue as { keys?: unknown }).keys;
    if (Array.isArray(keys) && keys.length > 0) {
      return keys.map((key) => ({
        path: base ? `${base}.${String(key)}` : String(key),
        message: 'Unknown field: it cannot be set by clients',
      }));
    }
    return [{ path: base, message: issue.message }];
  });
}

export function validationErrorFromIssues(issues: readonly StandardSchemaV1.Issue[]): RequestValidationError {
  return new RequestValidationError(toFieldErrors(issues));
}
