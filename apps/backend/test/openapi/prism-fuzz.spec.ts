import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, newUser, type TestUser } from '../support/factories.js';
import { startPrismProxy, type PrismProxy } from './prism-proxy.js';
import { invalidObjectOf, invalidParameterOf, resolver, type Schema, validOf } from './schema-arbitrary.js';
import { servedDocument, type ServedDocument } from './served-document.js';

/** CI-sized: each run sends this many valid and as many invalid requests. */
const RUNS = Number(process.env.OPENAPI_FUZZ_RUNS ?? 150);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  template: string;
  parameters: Parameter[];
  body?: Schema;
  secured: boolean;
}
interface FuzzRequest {
  operation: Operation;
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
  auth: 'user' | 'other' | 'none';
}
interface Finding {
  request: string;
  status: number;
  violations: unknown;
}

/** A lone surrogate cannot be percent-encoded: it goes out as U+FFFD, as a browser would send it. */
const wellFormed = (value: string) => value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

function operationsOf(document: ServedDocument['document']): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      const content = (raw.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content;
      operations.push({
        method: method.toUpperCase(),
        template,
        parameters: (raw.parameters ?? []) as Parameter[],
        body: content?.['application/json']?.schema,
        secured: ((raw.security ?? document.security ?? []) as unknown[]).length > 0,
      });
    }
  }
  return operations;
}

describe('requests generated from the served document, through Prism’s validating proxy', () => {
  let served: ServedDocument;
  let validating: PrismProxy;
  let forwarding: PrismProxy;
  let user: TestUser;
  let other: TestUser;
  let taskIds: string[];
  let operations: Operation[];

  beforeAll(async () => {
    served = await servedDocument();
    // Valid requests: Prism checks the request as well as the answer; invalid ones: only the answer.
    [validating, forwarding] = await Promise.all([
      startPrismProxy(served.file, served.app.url, true),
      startPrismProxy(served.file, served.app.url, false),
    ]);
    user = await newUser(served.app);
    other = await newUser(served.app);
    taskIds = [];
    for (const status of ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED'] as const) taskIds.push((await newTask(served.app, user, { status })).id);
    operations = operationsOf(served.document);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([validating?.close(), forwarding?.close()]);
    await served?.close();
  });

  function requestArbitrary(valid: boolean): fc.Arbitrary<FuzzRequest> {
    const resolve = resolver(served.document as never);
    return fc.constantFrom(...operations).chain((operation) => {
      const value = (parameter: Parameter): fc.Arbitrary<unknown> => {
        if (parameter.in === 'path' && parameter.name === 'id') return fc.oneof(fc.constantFrom(...taskIds), fc.uuid());
        // HTTP header values are visible ASCII (fetch refuses anything else).
        if (parameter.in === 'header') return fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), fc.constantFrom('"1"', '"2"', '*'));
        return validOf(parameter.schema, resolve);
      };
      const pick = (where: Parameter['in']) => {
        const parameters = operation.parameters.filter((parameter) => parameter.in === where);
        return fc.record(
          Object.fromEntries(parameters.map((parameter) => [parameter.name, value(parameter)])),
          { requiredKeys: parameters.filter((parameter) => parameter.required || where === 'path').map((parameter) => parameter.name) },
        );
      };
      const base = fc.record({
        operation: fc.constant(operation),
        path: pick('path'),
        query: pick('query'),
        headers: pick('header').map((headers) => Object.fromEntries(Object.entries(headers).map(([key, v]) => [key, String(v)]))),
        body: operation.body ? validOf(operation.body, resolve) : fc.constant(undefined),
        auth: fc.constantFrom<FuzzRequest['auth']>('user', 'user', 'user', 'other'),
      });
      if (valid) return base;
      // One thing broken: a parameter, the body, or the credentials.
      const breakers: fc.Arbitrary<(request: FuzzRequest) => FuzzRequest>[] = [];
      for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path' || candidate.in === 'query')) {
        breakers.push(invalidParameterOf(parameter.schema, resolve).map((wrong) => (request: FuzzRequest) => ({
          ...request,
          [parameter.in]: { ...request[parameter.in as 'path' | 'query'], [parameter.name]: wrong },
        })));
      }
      if (operation.body) breakers.push(invalidObjectOf(operation.body, resolve).map((body) => (request: FuzzRequest) => ({ ...request, body })));
      if (operation.secured) breakers.push(fc.constant((request: FuzzRequest) => ({ ...request, auth: 'none' as const })));
      breakers.push(fc.constant((request: FuzzRequest) => ({ ...request, query: { ...request.query, unknownParameter: '1' } })));
      return fc.tuple(base, fc.oneof(...breakers)).map(([request, breaker]) => breaker(request));
    });
  }

  async function send(proxy: PrismProxy, request: FuzzRequest): Promise<Finding | undefined> {
    const { operation } = request;
    const path = operation.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(wellFormed(String(request.path[name]))));
    const query = new URLSearchParams(Object.entries(request.query).map(([key, value]): [string, string] => [key, wellFormed(String(value))])).toString();
    const url = `${path}${query ? `?${query}` : ''}`;
    let token: string | undefined = request.auth === 'user' ? user.token : request.auth === 'other' ? other.token : undefined;
    // Logging out revokes the token it presents: use a token of its own.
    if (operation.template === '/api/auth/logout' && token) token = (await newUser(served.app)).token;
    const headers: Record<string, string> = { ...request.headers, 'x-request-id': randomUUID() };
    // Prism answers a request without credentials itself (401), so a refused token stands for the missing one.
    if (operation.secured) headers.authorization = `Bearer ${token ?? 'not-a-valid-token'}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${proxy.url}${url}`, {
      method: operation.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const text = await response.text();
    const violationsHeader = response.headers.get('sl-violations');
    const prismError = /stoplight\.io\/prism\/errors/.test(text.slice(0, 200));
    if (!violationsHeader && !prismError) return undefined;
    const detail = prismError ? (JSON.parse(text) as { validation?: unknown }).validation : violationsHeader;
    return { request: `${operation.method} ${url} ${JSON.stringify(request.body)?.slice(0, 200) ?? ''}`, status: response.status, violations: detail };
  }

  async function fuzz(proxy: PrismProxy, valid: boolean, seed: number): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const request of fc.sample(requestArbitrary(valid), { numRuns: RUNS, seed })) {
      const finding = await send(proxy, request);
      if (finding) findings.push(finding);
    }
    return findings;
  }

  it('valid requests: Prism finds no violation of the request or the response', async () => {
    const findings = await fuzz(validating, true, 20261130);
    expect(findings.slice(0, 5), `${findings.length} of ${RUNS} requests violated the document`).toEqual([]);
  }, 180_000);

  it('invalid requests: every answer is documented (status, problem schema, headers)', async () => {
    const findings = await fuzz(forwarding, false, 20261201);
    expect(findings.slice(0, 5), `${findings.length} of ${RUNS} answers violated the document`).toEqual([]);
  }, 180_000);
});
