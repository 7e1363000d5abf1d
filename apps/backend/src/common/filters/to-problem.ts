import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { type Problem, type ProblemKind, problemType } from '@tasks/schemas';
import { Prisma } from '../../generated/prisma/client.js';
import { DomainError } from '../errors/domain-error.js';

export interface ProblemResponse {
  body: Problem;
  headers: Record<string, string>;
  /** True for failures the server did not expect; they are logged with their stack. */
  unexpected: boolean;
  /** For an expected 5xx: what went wrong, for the log line (never sent to the client). */
  reason?: string;
}

interface ProblemRequest {
  id: string;
  url: string;
  method: string;
  /** The Fastify instance, for the methods a path's routes serve (see route-methods.ts). */
  server?: { routeMethods?: (path: string) => readonly string[] };
}

// Fastify's own request errors, with the wording a client can act on.
const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than the 1 MiB limit.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the request body as application/json.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty although Content-Type is application/json.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body.',
  FST_ERR_CTP_INVALID_TYPE: 'The Content-Type header is invalid.',
  FST_ERR_BAD_URL: 'The URL is malformed.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is too long.',
  FST_ERR_ASYNC_CONSTRAINT: 'The request could not be routed.',
};

// The problem kinds of Fastify's errors; the others stay `about:blank` (malformed HTTP and the like).
const FASTIFY_KINDS: Record<string, ProblemKind> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation-error',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation-error',
};

// PostgreSQL/pg/Prisma conditions that mean "the database is not answering", not a bug.
const UNAVAILABLE_CODES = new Set([
  // P1003/3D000: the database itself is gone (dropped, or being restored) after start-up.
  'P1001', 'P1002', 'P1003', 'P1008', 'P1017', 'P2024', 'P2028', '3D000',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE',
  '57P01', '57P02', '57P03', '57014', '53300', '08000', '08001', '08003', '08006',
]);
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable', 'DatabaseDoesNotExist', 'ConnectionClosed', 'TooManyConnections', 'SocketTimeout',
]);

// Driver messages without a code: a dropped connection, or pg-pool finding no free connection in time.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|connection error and is not queryable|Can't reach database|PGlite is closed/i;

function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== 'object' || error === null) return false;
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  const { code, kind, originalCode, cause, meta } = error as Record<string, unknown>;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof originalCode === 'string' && UNAVAILABLE_CODES.has(originalCode)) return true;
  if (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) return true;
  if (error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message)) {
    return true;
  }
  // Prisma wraps driver failures (P2010, P2039 …) with the PostgreSQL code under meta.driverAdapterError.
  const adapterError = (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  return isDatabaseUnavailable(cause, depth + 1) || isDatabaseUnavailable(adapterError, depth + 1);
}

function problem(
  request: ProblemRequest,
  status: number,
  detail: string,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    // Path only: the query string may hold values that should not be reflected back.
    instance: request.url.split('?')[0] ?? request.url,
    requestId: request.id,
    ...extra,
  };
}

/** Fastify's own request errors (`FST_ERR_…`); Nest hands them over wrapped in an HttpException. */
function fastifyErrorIn(error: unknown): unknown {
  const cause = error instanceof HttpException ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' && cause.code.startsWith('FST_') ? cause : error;
}

/** No route matched: 405 with `Allow` when the path has routes for other methods, else 404. */
function noRoute(request: ProblemRequest): ProblemResponse {
  const path = request.url.split('?')[0] ?? request.url;
  const allowed = request.server?.routeMethods?.(path) ?? [];
  if (allowed.length > 0) {
    const detail = `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`;
    return {
      body: problem(request, 405, detail, { type: problemType('method-not-allowed') }),
      headers: { allow: allowed.join(', ') },
      unexpected: false,
    };
  }
  const detail = `No route matches ${request.method} ${path}.`;
  return { body: problem(request, 404, detail, { type: problemType('not-found') }), headers: {}, unexpected: false };
}

/** Maps anything thrown while serving a request to an RFC 9457 problem. One place, every route. */
export function toProblem(thrown: unknown, request: ProblemRequest): ProblemResponse {
  const error = fastifyErrorIn(thrown);
  if (error instanceof DomainError) {
    return {
      body: problem(request, error.status, error.message, {
        type: error.type,
        title: error.title,
        ...(error.errors ? { errors: [...error.errors] } : {}),
      }),
      headers: { ...error.headers },
      unexpected: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404) return noRoute(request);
    return { body: problem(request, status, error.message), headers: {}, unexpected: status >= 500 };
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === 'P2002') {
      return { body: problem(request, 409, 'The resource already exists.'), headers: {}, unexpected: false };
    }
    if (error.code === 'P2025') {
      const body = problem(request, 404, 'The resource was not found.', { type: problemType('not-found') });
      return { body, headers: {}, unexpected: false };
    }
  }
  if (isDatabaseUnavailable(error)) {
    // A known condition (database down, pool exhausted): one warning line with its cause, no stack.
    return {
      body: problem(request, 503, 'The database is not answering; try again shortly.', { type: problemType('unavailable') }),
      headers: { 'retry-after': '1' },
      unexpected: false,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
  const fastify = error as { code?: unknown; statusCode?: unknown };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = typeof fastify.code === 'string' ? fastify.code : '';
    const known = FASTIFY_DETAILS[code] ? code : error instanceof SyntaxError ? 'FST_ERR_CTP_INVALID_JSON_BODY' : '';
    const detail = FASTIFY_DETAILS[known] ?? 'The request is invalid.';
    const kind = FASTIFY_KINDS[known];
    const body = problem(request, fastify.statusCode, detail, kind ? { type: problemType(kind) } : {});
    return { body, headers: {}, unexpected: false };
  }
  return {
    body: problem(request, 500, `An unexpected error occurred. Quote request id ${request.id} when reporting it.`),
    headers: {},
    unexpected: true,
  };
}
