import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/**
 * Declares the RFC 9457 problem statuses a route answers beyond the ones every route of its kind
 * does (see completeDocument): the document fills in each status's schema, problem types and headers.
 */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: 'Problem' })));
}
