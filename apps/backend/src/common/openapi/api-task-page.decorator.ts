import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { z } from 'zod';
import { ApiProblems } from './api-problems.decorator.js';

/**
 * A GET of one page of a task's items (its log entries, its history), newest first: `nextCursor`
 * continues it; a bad cursor or limit is a 400, a task that is not the caller's a 404.
 */
export function ApiTaskPage<T>(summary: string, schema: z.ZodType<T>, example: T): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiOkResponse({ description: 'One page; nextCursor continues it (null on the last page)', standardSchema: schema, example }),
    ApiProblems(400, 404),
  );
}
