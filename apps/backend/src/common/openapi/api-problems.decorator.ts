import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

export const PROBLEM_SCHEMA_REF = '#/components/schemas/Problem';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `errors` names each bad field.',
  401: 'Missing, invalid, expired or revoked access token.',
  403: 'Over a per-user quota (problem type /api/problems/quota-exceeded).',
  404: 'No such task for this user (also for deleted tasks and other users’ tasks).',
  409: 'Conflict with the current state (lifecycle, running cap, taken email).',
  410: 'The changes after this cursor are past CHANGES_RETENTION (problem type /api/problems/cursor-expired): list again.',
  412: 'If-Match does not name the current version.',
  429: 'Too many attempts or writes; see Retry-After and the RateLimit headers.',
  503: 'The request ran out of time or the database is unavailable; see Retry-After.',
};

const EXAMPLES: Record<number, object> = {
  400: {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'The request is invalid; see errors for each field.',
    instance: '/api/tasks',
    requestId: '3f1c9d7e-2b4a-4c1e-9a3b-1d2e3f4a5b6c',
    errors: [{ path: 'title', message: 'Too small: expected string to have >=1 characters' }],
  },
  404: {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'No task with this id exists.',
    instance: '/api/tasks/7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c',
    requestId: '3f1c9d7e-2b4a-4c1e-9a3b-1d2e3f4a5b6c',
  },
  409: {
    type: 'about:blank',
    title: 'Conflict',
    status: 409,
    detail: 'A COMPLETED task cannot become RUNNING; allowed: PENDING.',
    instance: '/api/tasks/7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c',
    requestId: '3f1c9d7e-2b4a-4c1e-9a3b-1d2e3f4a5b6c',
  },
};

/** Documents RFC 9457 problem responses (application/problem+json) for the given statuses. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: {
          'application/problem+json': {
            schema: { $ref: PROBLEM_SCHEMA_REF },
            ...(EXAMPLES[status] ? { example: EXAMPLES[status] } : {}),
          },
        },
      }),
    ),
  );
}
