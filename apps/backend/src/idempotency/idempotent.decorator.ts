import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblems } from '../common/openapi/api-problems.decorator.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * A write route that honours Idempotency-Key: the interceptor, the header in the document, and the
 * problems a key can add (409 while its first request runs, 422 when reused for another request).
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry safely: the same key replays the first answer.' }),
    ApiProblems(409, 422),
  );
}
