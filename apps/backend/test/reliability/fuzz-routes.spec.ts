import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendLogSchema,
  createTaskSchema,
  logEntrySchema,
  problemSchema,
  replaceTaskSchema,
  taskFilterSchema,
  taskListSchema,
  taskSchema,
  TASK_PRIORITIES,
  TASK_SORTS,
  TASK_STATUSES,
  updateTaskSchema,
} from '@tasks/schemas';
import type { z } from 'zod';
import { newUser, type TestUser } from '../support/factories.js';
import { call } from '../support/http-client.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { fromSchema, hostileStrings, mutate } from '../support/zod-arbitrary.js';

/** CI-sized by default; FUZZ_RUNS=5000 for a long hunt. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

type Actor = 'A' | 'B' | 'anonymous' | 'garbage-token';
type IdKind = 'own' | 'other' | 'deleted' | 'unknown' | 'malformed';

interface FuzzRequest {
  actor: Actor;
  route: 'create' | 'list' | 'get' | 'patch' | 'put' | 'complete' | 'log' | 'delete';
  idKind: IdKind;
  malformedId: string;
  query: Record<string, string>;
  body: unknown;
  contentType: string | undefined;
  ifMatch: string | undefined;
  requestId: string | undefined;
}

/**
 * Cases found by the fuzzer and kept. An id of `.` is resolved away by the client's URL parser, so
 * `POST /api/tasks/./logs` goes out as `POST /api/tasks/logs`: a known path, refused with 405.
 */
const RESOLVED_AWAY_EXAMPLES: [FuzzRequest][] = [
  [{ actor: 'A', route: 'log', idKind: 'malformed', malformedId: '.', query: {}, body: { message: ' ' }, contentType: undefined, ifMatch: undefined, requestId: '' }],
  [{ actor: 'A', route: 'log', idKind: 'malformed', malformedId: '..', query: {}, body: { level: 'info', message: 'up' }, contentType: undefined, ifMatch: undefined, requestId: undefined }],
];

const BODY_SCHEMAS: Partial<Record<FuzzRequest['route'], z.ZodType>> = {
  create: createTaskSchema,
  patch: updateTaskSchema,
  put: replaceTaskSchema,
  log: appendLogSchema,
};

function bodyArbitrary(schema: z.ZodType): fc.Arbitrary<unknown> {
  const shaped = fromSchema(schema);
  const keys = Object.keys((schema as unknown as { _zod: { def: { shape?: object } } })._zod.def.shape ?? { title: 1 });
  return fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 2, arbitrary: mutate(shaped, keys) });
}

const listValue = <T extends string>(values: readonly T[]) =>
  fc.oneof(
    fc.constantFrom(...values),
    fc.subarray([...values], { minLength: 1 }).map((picked) => picked.join(',')),
    fc.constantFrom('', ',', 'pending', `${values[0]},NOPE`, ...hostileStrings.slice(0, 6)),
  );
const numberText = fc.oneof(
  fc.integer({ min: -5, max: 150 }).map(String),
  fc.constantFrom('', '1e2', '0x10', '+5', ' 5', '5.5', '99999999999', '2147483648', 'NaN', 'Infinity', '-0'),
);
const queryArbitrary: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      status: listValue(TASK_STATUSES),
      priority: listValue(TASK_PRIORITIES),
      limit: numberText,
      offset: numberText,
      sort: fc.oneof(fc.constantFrom(...TASK_SORTS), fc.constantFrom('title', '-id', 'createdAt,priority', '')),
      userId: fc.uuid(),
      deleted: fc.constantFrom('true', '1'),
    },
    { requiredKeys: [] },
  )
  .filter((query) => !('userId' in query && 'deleted' in query));

/** `undefined` `absentWeight` times as often as a value. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    actor: fc.constantFrom<Actor>('A', 'A', 'A', 'B', 'anonymous', 'garbage-token'),
    route: fc.constantFrom<FuzzRequest['route']>('create', 'list', 'get', 'patch', 'put', 'complete', 'log', 'delete'),
    idKind: fc.constantFrom<IdKind>('own', 'own', 'other', 'deleted', 'unknown', 'malformed'),
    malformedId: fc.oneof(fc.constantFrom('1', 'null', '00000000-0000-0000-0000-00000000000g', '%2e%2e', "1' OR '1'='1", 'a'.repeat(300)), fc.string({ minLength: 1, maxLength: 40 })),
    query: queryArbitrary,
    contentType: sometimes(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/xml'), 9),
    ifMatch: sometimes(fc.oneof(fc.constantFrom('"1"', '"2"', '*', 'W/"1"', '"x"', '1', '"999999999999"'), fc.string({ maxLength: 10 })), 3),
    requestId: sometimes(fc.oneof(fc.uuid(), fc.string({ maxLength: 200 })), 1),
    bodySeed: fc.nat(),
  })
  .chain((base) => {
    const schema = BODY_SCHEMAS[base.route];
    return (schema ? bodyArbitrary(schema) : fc.constant(undefined)).map((body) => {
      const { bodySeed: _seed, ...rest } = base;
      return { ...rest, body } satisfies FuzzRequest;
    });
  });

/** True when a body carries prototype-poisoning keys, which the JSON parser refuses outright (400). */
function poisoned(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const ctor = Object.prototype.hasOwnProperty.call(body, 'constructor') ? (body as Record<string, unknown>)['constructor'] : undefined;
  return Object.prototype.hasOwnProperty.call(body, '__proto__') || (typeof ctor === 'object' && ctor !== null && 'prototype' in ctor);
}

const INTERNAL_LEAKS = /(\n\s+at |PrismaClient|prisma\.|SELECT |INSERT INTO|UPDATE tasks|node_modules|\.ts:\d+|"stack"|\$argon2)/;

describe('property-based fuzzing of the REST routes', () => {
  let t: TestApp;
  let users: Record<'A' | 'B', TestUser>;
  let openapi: OpenApiValidator;
  const ids: Record<'A' | 'B', { live: string[]; deleted: string }> = { A: { live: [], deleted: '' }, B: { live: [], deleted: '' } };
  const secretTitles: Record<'A' | 'B', string> = { A: `secret-A-${randomUUID()}`, B: `secret-B-${randomUUID()}` };
  const stats = { requests: 0, byStatus: {} as Record<string, number> };

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_RATE_LIMIT_REGISTER: '100000', AUTH_RATE_LIMIT_LOGIN: '100000', TASKS_MAX_CONCURRENT: '1000' } });
    users = { A: await newUser(t), B: await newUser(t) };
    openapi = await OpenApiValidator.fetch(t.url);
    for (const who of ['A', 'B'] as const) {
      for (let i = 0; i < 3; i += 1) {
        const created = await call(t.url, 'POST', '/api/tasks', { token: users[who].token, body: { title: `${secretTitles[who]}-${i}`, description: 'private' } });
        ids[who].live.push((created.body as { id: string }).id);
      }
      const doomed = await call(t.url, 'POST', '/api/tasks', { token: users[who].token, body: { title: 'to delete' } });
      ids[who].deleted = (doomed.body as { id: string }).id;
      await call(t.url, 'DELETE', `/api/tasks/${ids[who].deleted}`, { token: users[who].token });
    }
  }, 120_000);

  afterAll(async () => {
    console.info('[fuzz] routes', JSON.stringify(stats));
    await t?.close();
  });

  /** Every row that matters for "nothing changed", as one comparable string. */
  async function snapshot(): Promise<string> {
    const tasks = await t.prisma.task.findMany({ orderBy: { id: 'asc' } });
    const users = await t.prisma.user.findMany({ orderBy: { id: 'asc' }, select: { id: true, email: true, passwordHash: true } });
    return JSON.stringify({ tasks, users });
  }

  async function ownerSnapshot(who: 'A' | 'B'): Promise<string> {
    const tasks = await t.prisma.task.findMany({ where: { userId: users[who].id }, orderBy: { id: 'asc' } });
    return JSON.stringify(tasks);
  }

  function pathFor(request: FuzzRequest, actor: 'A' | 'B'): { method: string; path: string } {
    const other = actor === 'A' ? 'B' : 'A';
    const id =
      request.idKind === 'own'
        ? ids[actor].live[0]!
        : request.idKind === 'other'
          ? ids[other].live[0]!
          : request.idKind === 'deleted'
            ? ids[actor].deleted
            : request.idKind === 'unknown'
              ? randomUUID()
              : encodeURIComponent(request.malformedId);
    switch (request.route) {
      case 'create':
        return { method: 'POST', path: '/api/tasks' };
      case 'list':
        return { method: 'GET', path: `/api/tasks?${new URLSearchParams(request.query).toString()}` };
      case 'get':
        return { method: 'GET', path: `/api/tasks/${id}` };
      case 'patch':
        return { method: 'PATCH', path: `/api/tasks/${id}` };
      case 'put':
        return { method: 'PUT', path: `/api/tasks/${id}` };
      case 'complete':
        return { method: 'PATCH', path: `/api/tasks/${id}/complete` };
      case 'log':
        return { method: 'POST', path: `/api/tasks/${id}/logs` };
      case 'delete':
        return { method: 'DELETE', path: `/api/tasks/${id}` };
    }
  }

  it('should never answer 5xx, always answer errors as problems, change nothing on rejection and never cross users when requests are random', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const actor: 'A' | 'B' = request.actor === 'B' ? 'B' : 'A';
        const other = actor === 'A' ? 'B' : 'A';
        const { method, path } = pathFor(request, actor);
        const headers: Record<string, string> = {};
        if (request.actor === 'A' || request.actor === 'B') headers.authorization = `Bearer ${users[actor].token}`;
        if (request.actor === 'garbage-token') headers.authorization = `Bearer ${users.A.token.slice(0, -4)}AAAA`;
        if (request.ifMatch !== undefined) headers['if-match'] = request.ifMatch;
        if (request.requestId !== undefined) headers['x-request-id'] = request.requestId;
        const sendsBody = request.body !== undefined;
        if (sendsBody) headers['content-type'] = request.contentType ?? 'application/json';

        const before = await snapshot();
        const otherBefore = await ownerSnapshot(other);
        const response = await call(t.url, method, path, { headers, rawBody: sendsBody ? JSON.stringify(request.body) : undefined });
        stats.requests += 1;
        stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
        // fetch resolves `.` and `..` segments (WHATWG URL): a `.` or `..` id leaves the task route.
        const sent = new URL(`${t.url}${path}`);
        const sentPath = `${sent.pathname}${sent.search}`;
        const resolvedAway = sentPath !== path;
        // Refusals of a malformed id; once resolved away, also a known path's 405 (POST /api/tasks/logs).
        const malformedStatuses = resolvedAway ? [400, 404, 405] : [400, 404];
        const context = `${method} ${path}${resolvedAway ? ` (sent as ${sentPath})` : ''} as ${request.actor} → ${response.status} ${response.text.slice(0, 300)}`;

        // 1. Never a server error.
        expect(response.status, context).toBeLessThan(500);
        // 2. Every response carries a request id.
        expect(response.headers.get('x-request-id'), context).toBeTruthy();
        // 3. The other user's data is never in a response nor changed.
        expect(response.text.includes(secretTitles[other]), context).toBe(false);
        expect(await ownerSnapshot(other), context).toBe(otherBefore);

        if (response.status >= 400) {
          // 4. Errors are RFC 9457 problems without internals, and change nothing.
          expect(response.contentType, context).toMatch(/^application\/problem\+json/);
          const problem = problemSchema.safeParse(response.body);
          expect(problem.success, context).toBe(true);
          expect(problem.data?.status, context).toBe(response.status);
          expect(INTERNAL_LEAKS.test(response.text), context).toBe(false);
          expect(await snapshot(), context).toBe(before);
        }

        // 5. The oracle: what the shared schemas say the server must do. (A path parameter over the
        // router's length limit is refused with 414 before anything else looks at the request.)
        if (response.status === 414) {
          expect(request.idKind === 'malformed' && request.malformedId.length > 100, context).toBe(true);
          return;
        }
        const authenticated = request.actor === 'A' || request.actor === 'B';
        const jsonBody = !sendsBody || request.contentType === undefined || request.contentType.startsWith('application/json;');
        const poison = sendsBody && poisoned(request.body);
        // Body parsing runs before the guard, so an unreadable body may be refused first; poisoned keys
        // are refused by the validation pipe, after the guard.
        if (!authenticated) expect(jsonBody ? [401] : [400, 401, 415], context).toContain(response.status);
        if (authenticated && poison && jsonBody) expect([400, 404], context).toContain(response.status);
        const bodySchema = BODY_SCHEMAS[request.route];
        if (authenticated && jsonBody) {
          if (request.route === 'list') {
            expect(response.status, context).toBe(taskFilterSchema.safeParse(request.query).success ? 200 : 400);
          }
          if (request.route === 'create' && request.contentType === undefined) {
            expect(response.status, context).toBe(!poison && createTaskSchema.safeParse(request.body).success ? 201 : 400);
          }
          if (bodySchema && request.contentType === undefined && !bodySchema.safeParse(request.body).success) {
            expect(request.idKind === 'malformed' ? malformedStatuses : [400], context).toContain(response.status);
          }
          if (request.idKind === 'malformed' && !['create', 'list'].includes(request.route)) expect(malformedStatuses, context).toContain(response.status);
          if (['other', 'deleted', 'unknown'].includes(request.idKind) && !['create', 'list'].includes(request.route)) {
            expect([400, 404], context).toContain(response.status);
          }
        }
        if (sendsBody && request.contentType !== undefined && !request.contentType.startsWith('application/json')) {
          expect([400, 401, 404, 415], context).toContain(response.status);
        }

        // 6. Successes match the shared response schemas and only show the caller's own tasks.
        if (response.status >= 200 && response.status < 300) {
          if (response.status === 204) expect(response.text, context).toBe('');
          else if (request.route === 'list') {
            const list = taskListSchema.safeParse(response.body);
            expect(list.success, context).toBe(true);
            const own = new Set((await t.prisma.task.findMany({ where: { userId: users[actor].id }, select: { id: true } })).map((row) => row.id));
            for (const item of list.data?.items ?? []) expect(own.has(item.id), context).toBe(true);
          } else if (request.route === 'log') {
            expect(logEntrySchema.safeParse(response.body).success, context).toBe(true);
          } else {
            expect(taskSchema.safeParse(response.body).success, context).toBe(true);
          }
        }
        // 7. Every answer of a documented route matches the OpenAPI document (a path resolved away
        // may have left every documented one).
        if (response.status !== 401 && response.status !== 415 && (!resolvedAway || openapi.matchPath(method, sentPath))) {
          expect(openapi.check(method, sentPath, response.status, response.status === 204 ? undefined : response.body), context).toBeUndefined();
        }
        // 8. Nothing was polluted in this very process.
        expect(({} as Record<string, unknown>).polluted, context).toBeUndefined();
      }),
      { numRuns: FUZZ_RUNS, interruptAfterTimeLimit: 240_000, examples: RESOLVED_AWAY_EXAMPLES },
    );
  }, 300_000);
});
