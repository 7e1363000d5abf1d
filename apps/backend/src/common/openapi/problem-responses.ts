import { PROBLEM_KINDS, type ProblemKind, problemKinds, problemType } from '@tasks/schemas';

type Json = Record<string, unknown>;

export const PROBLEM_SCHEMA_REF = '#/components/schemas/Problem';
/** Statuses also answered as plain `about:blank` problems (malformed HTTP, a body sent too slowly). */
const ABOUT_BLANK_STATUSES = new Set([400, 408]);
const PLAIN_TITLES: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout' };

/** Reusable response headers of the document (components.headers). */
export const RESPONSE_HEADERS: Record<string, Json> = {
  'X-Request-Id': {
    description: 'Id of this request: the client’s own when it sent a valid one, generated otherwise; the server log line of the request carries it too.',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Policy': {
    description: 'The limits that apply (draft-ietf-httpapi-ratelimit-headers), e.g. `"writes";q=1200;w=60`.',
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'What is left of each limit and when it resets, e.g. `"writes";r=1199;t=60`.',
    schema: { type: 'string' },
  },
  'WWW-Authenticate': {
    description: 'The Bearer challenge (RFC 6750), with `error="invalid_token"` when a token was sent but refused.',
    schema: { type: 'string' },
  },
};

export const headerRef = (name: string): Json => ({ $ref: `#/components/headers/${name}` });

export function kindsOfStatus(status: number): ProblemKind[] {
  return problemKinds.filter((kind) => PROBLEM_KINDS[kind].status === status);
}

/** The response component for one status: the problem schema with `type` narrowed to the status's kinds. */
export function problemResponse(status: number): Json {
  const kinds = kindsOfStatus(status);
  const types: string[] = [...kinds.map(problemType), ...(ABOUT_BLANK_STATUSES.has(status) || kinds.length === 0 ? ['about:blank'] : [])];
  const headers: Json = { 'X-Request-Id': headerRef('X-Request-Id') };
  if (status === 401) headers['WWW-Authenticate'] = headerRef('WWW-Authenticate');
  if (status === 429 || status === 503 || kinds.includes('idempotency-key-in-progress')) headers['Retry-After'] = headerRef('Retry-After');
  const examples = Object.fromEntries(
    (kinds.length > 0 ? kinds : (['about:blank'] as const)).map((kind) => {
      const known = kind === 'about:blank' ? undefined : PROBLEM_KINDS[kind];
      const value = {
        type: known ? problemType(kind as ProblemKind) : 'about:blank',
        title: known?.title ?? PLAIN_TITLES[status] ?? 'Error',
        status,
        detail: known?.description ?? 'The request could not be served.',
        instance: '/api/tasks/7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c',
        requestId: '3f1c9d7e-2b4a-4c1e-9a3b-1d2e3f4a5b6c',
        ...(kind === 'validation-error' ? { errors: [{ path: 'title', message: 'Too small: expected string to have >=1 characters' }] } : {}),
      };
      return [kind, { summary: known ? `${kind}` : 'Plain HTTP outcome', value }];
    }),
  );
  const described = kinds.map((kind) => `\`${problemType(kind)}\`: ${PROBLEM_KINDS[kind].description}`);
  if (types.includes('about:blank')) described.push('`about:blank`: a plain HTTP outcome with nothing more to say.');
  return {
    description: `Problem (RFC 9457).\n\n${described.map((line) => `- ${line}`).join('\n')}`,
    headers,
    content: {
      'application/problem+json': {
        schema: { allOf: [{ $ref: PROBLEM_SCHEMA_REF }, { type: 'object', properties: { type: { type: 'string', enum: types } } }] },
        examples,
      },
    },
  };
}
