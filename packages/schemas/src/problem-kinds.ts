import { z } from 'zod';

/**
 * Every problem type the API raises, with its title and what it means. The `type` of such a problem
 * is `/api/problems/<kind>`; `GET /api/problems/<kind>` answers the description. Plain HTTP outcomes
 * with nothing more to say (malformed HTTP, 408, 501, 500) keep `about:blank`.
 */
export const PROBLEM_KINDS = {
  'validation-error': {
    status: 400,
    title: 'Bad Request',
    description:
      'The request does not match its schema: a missing, unknown or invalid field, parameter or header, or a body that is not valid JSON. `errors` names each bad field with a message.',
  },
  'invalid-cursor': {
    status: 400,
    title: 'Bad Request',
    description: 'The cursor is malformed or was not issued for this request (another task, user, filter or sort); start again without it.',
  },
  'invalid-preflight': {
    status: 400,
    title: 'Bad Request',
    description: 'An OPTIONS request is a CORS preflight here and must send Origin and Access-Control-Request-Method.',
  },
  'invalid-token': {
    status: 401,
    title: 'Unauthorized',
    description:
      'The access token is missing, malformed, expired, revoked or otherwise unusable. `WWW-Authenticate` says which; log in again for a new token.',
  },
  'invalid-credentials': {
    status: 401,
    title: 'Unauthorized',
    description: 'The email or password is incorrect. The answer never says which of the two.',
  },
  'quota-exceeded': {
    status: 403,
    title: 'Forbidden',
    description: 'The user already holds the most live tasks allowed (TASKS_MAX_PER_USER); delete some before creating more.',
  },
  'not-found': {
    status: 404,
    title: 'Not Found',
    description:
      'No such resource for this user: it does not exist, was deleted or belongs to someone else (all look the same), or the path names no route.',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method Not Allowed',
    description: 'The path exists but does not serve this method; `Allow` lists the methods it serves.',
  },
  'invalid-transition': {
    status: 409,
    title: 'Conflict',
    description: 'The task lifecycle does not allow this status change from the current status; the detail names the moves that are allowed.',
  },
  'state-conflict': {
    status: 409,
    title: 'Conflict',
    description: 'The change does not fit the task’s current state, e.g. errorMessage on a task that is not FAILED.',
  },
  'running-cap-reached': {
    status: 409,
    title: 'Conflict',
    description: 'The user already has the most RUNNING tasks allowed at once; finish or cancel one first.',
  },
  'email-taken': {
    status: 409,
    title: 'Conflict',
    description: 'An account with this email already exists.',
  },
  'idempotency-key-in-progress': {
    status: 409,
    title: 'Conflict',
    description: 'A request with this Idempotency-Key is still running; retry after `Retry-After` seconds to get its answer.',
  },
  'version-mismatch': {
    status: 412,
    title: 'Precondition Failed',
    description: 'If-Match does not name the current version of the resource; fetch it again and retry with its ETag.',
  },
  'body-too-large': {
    status: 413,
    title: 'Content Too Large',
    description: 'The request body is larger than the 1 MiB limit.',
  },
  'uri-too-long': {
    status: 414,
    title: 'URI Too Long',
    description: 'The request URL is longer than the server accepts (12 KiB).',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported Media Type',
    description: 'The request body must be sent as application/json.',
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'Unprocessable Content',
    description: 'This Idempotency-Key was already used with another method, path or body; use a new key for a new request.',
  },
  'cursor-expired': {
    status: 410,
    title: 'Gone',
    description: 'The cursor names changes older than the server keeps; read the current state again and continue from there.',
  },
  'rate-limited': {
    status: 429,
    title: 'Too Many Requests',
    description: 'Too many attempts or writes in the current window; retry after `Retry-After` seconds. The RateLimit headers describe the limit.',
  },
  'headers-too-large': {
    status: 431,
    title: 'Request Header Fields Too Large',
    description: 'The request line and headers are larger than the server accepts (16 KiB).',
  },
  timeout: {
    status: 503,
    title: 'Service Unavailable',
    description: 'The request took longer than the server allows (TASKS_API_TIMEOUT) and was cancelled; nothing was changed. Retry after `Retry-After` seconds.',
  },
  unavailable: {
    status: 503,
    title: 'Service Unavailable',
    description: 'The database or another dependency is not answering, the server is busy or shutting down; retry after `Retry-After` seconds.',
  },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;
export const problemKinds = Object.keys(PROBLEM_KINDS) as [ProblemKind, ...ProblemKind[]];
export const problemKindSchema = z.enum(problemKinds).meta({
  id: 'ProblemKind',
  description: 'The kind of a problem: its `type` is `/api/problems/<kind>`, described at GET /api/problems/<kind>.',
});

export const PROBLEM_TYPE_PREFIX = '/api/problems/';
/** The `type` URI of a problem: one per kind, or `about:blank` for a plain HTTP outcome. */
export type ProblemType = `/api/problems/${ProblemKind}` | 'about:blank';

export function problemType(kind: ProblemKind): `/api/problems/${ProblemKind}` {
  return `${PROBLEM_TYPE_PREFIX}${kind}`;
}

export function isProblemKind(value: string): value is ProblemKind {
  return Object.hasOwn(PROBLEM_KINDS, value);
}

/** The kind a problem `type` names; undefined for `about:blank` or a type this API does not define. */
export function problemKindOf(type: string): ProblemKind | undefined {
  if (!type.startsWith(PROBLEM_TYPE_PREFIX)) return undefined;
  const kind = type.slice(PROBLEM_TYPE_PREFIX.length);
  return isProblemKind(kind) ? kind : undefined;
}

/** The answer of GET /api/problems/{kind}. */
export const problemKindDescriptionSchema = z.strictObject({
  kind: problemKindSchema,
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  description: z.string(),
}).meta({ id: 'ProblemKindDescription' });
export type ProblemKindDescription = z.infer<typeof problemKindDescriptionSchema>;
