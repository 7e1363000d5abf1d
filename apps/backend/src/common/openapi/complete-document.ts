import type { OpenAPIObject } from '@nestjs/swagger';
import { problemKindSchema } from '@tasks/schemas';
import { PUBLIC_OPERATION_EXTENSION } from '../../auth/public.decorator.js';
import { headerRef, problemResponse, RESPONSE_HEADERS } from './problem-responses.js';

type Json = Record<string, unknown>;
interface Operation extends Json {
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
  security?: Json[];
  tags?: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Answered by any route: the request line was too long or the headers too large, or the server was shutting down / busy. */
const EVERY_ROUTE = [414, 431, 503];
/** Answered by a route that reads a body: invalid, too large, not JSON, or sent too slowly. */
const WITH_BODY = [400, 408, 413, 415];

function isProblemStatus(status: string): boolean {
  return /^[45]\d\d$/.test(status);
}

/**
 * Completes what the decorators declare into the exact document: every operation gets the problem
 * responses its kind of route can answer, each problem response its schema, types and headers,
 * every response `X-Request-Id`, rate-limited routes their RateLimit headers, public routes
 * `security: []`. Generic on purpose: a new route is covered without being named here.
 */
export function completeDocument(document: OpenAPIObject, tagDescriptions: Readonly<Record<string, string>>): OpenAPIObject {
  const referenced = new Set<number>();
  const tags = new Set<string>();
  for (const pathItem of Object.values(document.paths) as Record<string, Operation | undefined>[]) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const isPublic = operation[PUBLIC_OPERATION_EXTENSION] === true;
      delete operation[PUBLIC_OPERATION_EXTENSION];
      operation.security = isPublic ? [] : (operation.security ?? [{ bearer: [] }]);
      for (const tag of operation.tags ?? []) tags.add(tag);

      const answered = new Set([...EVERY_ROUTE]);
      if (operation.requestBody) for (const status of WITH_BODY) answered.add(status);
      if ((operation.parameters ?? []).length > 0) answered.add(400);
      if (!isPublic) answered.add(401);
      for (const status of Object.keys(operation.responses)) if (isProblemStatus(status)) answered.add(Number(status));

      const rateLimited = answered.has(429);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (isProblemStatus(status)) continue;
        const headers = (response.headers ?? {}) as Json;
        headers['X-Request-Id'] = headerRef('X-Request-Id');
        if (rateLimited) Object.assign(headers, { 'RateLimit-Policy': headerRef('RateLimit-Policy'), RateLimit: headerRef('RateLimit') });
        response.headers = headers;
      }
      for (const status of [...answered].sort()) {
        const existing = operation.responses[String(status)];
        const ref = { $ref: `#/components/responses/Problem${status}` };
        // A route that answers its own JSON with this status too (the ready route's 503) keeps it beside the problem.
        const ownContent = (existing?.content ?? {}) as Json;
        const plain = Object.keys(ownContent).filter((type) => type !== 'application/problem+json');
        if (plain.length === 0 && !rateLimited) {
          referenced.add(status);
          operation.responses[String(status)] = ref;
          continue;
        }
        const problem = problemResponse(status);
        operation.responses[String(status)] = {
          ...problem,
          description: existing && plain.length > 0 ? `${String(existing.description)}\n\n${String(problem.description)}` : problem.description,
          headers: {
            ...(problem.headers as Json),
            ...(rateLimited ? { 'RateLimit-Policy': headerRef('RateLimit-Policy'), RateLimit: headerRef('RateLimit') } : {}),
          },
          content: { ...Object.fromEntries(plain.map((type) => [type, ownContent[type]])), ...(problem.content as Json) },
        };
      }
    }
  }
  const components = (document.components ?? {}) as Json;
  components.headers = { ...(components.headers as Json | undefined), ...RESPONSE_HEADERS };
  components.responses = {
    ...(components.responses as Json | undefined),
    ...Object.fromEntries([...referenced].sort().map((status) => [`Problem${status}`, problemResponse(status)])),
  };
  components.schemas = {
    ProblemKind: { type: 'string', enum: problemKindSchema.options, description: problemKindSchema.meta()?.description },
    ...(components.schemas as Json | undefined),
  };
  document.components = components;
  document.security = [{ bearer: [] }];
  document.tags = [...tags].sort().map((name) => ({ name, ...(tagDescriptions[name] ? { description: tagDescriptions[name] } : {}) }));
  return document;
}
