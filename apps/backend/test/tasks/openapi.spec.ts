import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { api, type Res } from './helpers.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;

type Json = Record<string, unknown>;

/** Walks a parsed JSON document; undefined when a step is missing. */
function at(value: unknown, ...keys: string[]): Json | undefined {
  let current: unknown = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Json)[key];
  }
  return current === null || typeof current !== 'object' ? undefined : (current as Json);
}

/** Every route Nest serves, as `METHOD /api/path/{param}`, read from the controllers' metadata. */
function servedRoutes(t: TestApp): string[] {
  const routes: string[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const controller of module.controllers.values()) {
      const type = controller.metatype as (new (...args: never[]) => object) | null;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const key of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[key];
        if (key === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const full = ['api', base, path].map((p) => p.replace(/^\/|\/$/g, '')).filter(Boolean).join('/');
        routes.push(`${RequestMethod[method]} /${full.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
  }
  // SwaggerModule serves the document and the docs UI itself (no controller); the document lists them.
  return [...routes, 'GET /api/docs', 'GET /api/openapi.json'].sort();
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Json;
  let ajv: Ajv2020;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await fetch(`${t.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Asserts that a real response is documented for its route and matches the documented schema. */
  function expectDocumented(res: Res, method: string, path: string): void {
    const operation = at(doc, 'paths', path, method.toLowerCase());
    expect(operation, `${method} ${path} is documented`).toBeDefined();
    const declared = at(operation, 'responses', String(res.status));
    // Shared problem responses are references to components.responses.
    const ref = typeof declared?.$ref === 'string' ? declared.$ref.split('/').slice(1) : undefined;
    const response = ref ? at(doc, ...ref) : declared;
    expect(response, `${method} ${path} documents ${res.status}`).toBeDefined();
    if (res.body === undefined) {
      expect(response!.content).toBeUndefined();
      return;
    }
    const contentType = res.headers.get('content-type')!.split(';')[0]!;
    const schema = at(response, 'content', contentType, 'schema');
    expect(schema, `${method} ${path} ${res.status} documents ${contentType}`).toBeDefined();
    const validate = ajv.compile({ ...schema, components: doc.components });
    const valid = validate(res.body);
    expect(validate.errors ?? [], JSON.stringify(res.body).slice(0, 300)).toEqual([]);
    expect(valid).toBe(true);
  }

  it('should be OpenAPI 3.1 with bearer auth and the problem schema when served', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(at(doc, 'components', 'securitySchemes', 'bearer')).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(at(doc, 'components', 'schemas') ?? {})).toEqual(expect.arrayContaining(['Task', 'TaskList', 'Problem', 'User', 'AuthResponse']));
  });

  it('should document every route the app serves and serve every documented route', () => {
    const served = servedRoutes(t);
    expect(served).toEqual(expect.arrayContaining(['GET /api/tasks', 'PATCH /api/tasks/{id}/complete', 'POST /api/auth/login']));
    const documented = Object.entries(at(doc, 'paths') ?? {})
      .flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
  });

  it('should serve the docs UI when API_DOCS_ENABLED is on', async () => {
    const res = await fetch(`${t.url}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  it('should describe the real responses of every tasks and auth route', async () => {
    const email = `doc-${Date.now()}@example.com`;
    const reg = await api(t, undefined, 'POST', '/api/auth/register', { body: { email, password: 'password-123' } });
    expectDocumented(reg, 'POST', '/api/auth/register');
    expectDocumented(await api(t, undefined, 'POST', '/api/auth/register', { body: { email, password: 'password-123' } }), 'POST', '/api/auth/register');
    expectDocumented(await api(t, undefined, 'POST', '/api/auth/register', { body: { email: 'nope' } }), 'POST', '/api/auth/register');
    expectDocumented(await api(t, undefined, 'POST', '/api/auth/login', { body: { email, password: 'password-123' } }), 'POST', '/api/auth/login');
    expectDocumented(await api(t, undefined, 'POST', '/api/auth/login', { body: { email, password: 'wrong-password' } }), 'POST', '/api/auth/login');
    const user = await newUser(t);
    expectDocumented(await api(t, user, 'GET', '/api/auth/me'), 'GET', '/api/auth/me');
    expectDocumented(await api(t, undefined, 'GET', '/api/auth/me'), 'GET', '/api/auth/me');

    const created = await api<Json>(t, user, 'POST', '/api/tasks', { body: { title: 'doc', description: 'd', priority: 'HIGH' } });
    expectDocumented(created, 'POST', '/api/tasks');
    expectDocumented(await api(t, user, 'POST', '/api/tasks', { body: { title: '' } }), 'POST', '/api/tasks');
    expectDocumented(await api(t, undefined, 'POST', '/api/tasks', { body: { title: 'x' } }), 'POST', '/api/tasks');
    const id = String(created.body.id);
    const one = '/api/tasks/{id}';
    expectDocumented(await api(t, user, 'GET', '/api/tasks?status=PENDING&sort=priority'), 'GET', '/api/tasks');
    expectDocumented(await api(t, user, 'GET', '/api/tasks?limit=0'), 'GET', '/api/tasks');
    expectDocumented(await api(t, user, 'GET', `/api/tasks/${id}`), 'GET', one);
    expectDocumented(await api(t, user, 'GET', '/api/tasks/not-a-uuid'), 'GET', one);
    expectDocumented(await api(t, user, 'GET', '/api/tasks/7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c'), 'GET', one);
    expectDocumented(await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { status: 'RUNNING' } }), 'PATCH', one);
    expectDocumented(await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { status: 'PENDING' } }), 'PATCH', one);
    expectDocumented(await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { title: 'x' }, headers: { 'if-match': '"1"' } }), 'PATCH', one);
    expectDocumented(await api(t, user, 'POST', `/api/tasks/${id}/logs`, { body: { message: 'hello', level: 'warn' } }), 'POST', `${one}/logs`);
    expectDocumented(await api(t, user, 'POST', `/api/tasks/${id}/logs`, { body: {} }), 'POST', `${one}/logs`);
    expectDocumented(await api(t, user, 'GET', `/api/tasks/${id}/logs?limit=1`), 'GET', `${one}/logs`);
    expectDocumented(await api(t, user, 'GET', `/api/tasks/${id}/logs?cursor=bogus`), 'GET', `${one}/logs`);
    expectDocumented(await api(t, user, 'GET', '/api/tasks/7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c/logs'), 'GET', `${one}/logs`);
    expectDocumented(await api(t, user, 'PATCH', `/api/tasks/${id}`, { body: { status: 'FAILED', errorMessage: 'boom' } }), 'PATCH', one);
    expectDocumented(await api(t, user, 'PATCH', `/api/tasks/${id}/complete`), 'PATCH', `${one}/complete`);
    expectDocumented(
      await api(t, user, 'PUT', `/api/tasks/${id}`, { body: { title: 'again', description: null, priority: 'LOW', status: 'PENDING' } }),
      'PUT',
      one,
    );
    expectDocumented(await api(t, user, 'PATCH', `/api/tasks/${id}/complete`), 'PATCH', `${one}/complete`);
    expectDocumented(await api(t, user, 'GET', '/api/tasks'), 'GET', '/api/tasks');
    expectDocumented(await api(t, user, 'DELETE', `/api/tasks/${id}`), 'DELETE', one);
    expectDocumented(await api(t, user, 'DELETE', `/api/tasks/${id}`), 'DELETE', one);
    expectDocumented(await api(t, user, 'POST', '/api/auth/logout'), 'POST', '/api/auth/logout');
  });
});

describe('OpenAPI switched off', () => {
  it('should answer 404 for the document and the UI when API_DOCS_ENABLED=false', async () => {
    const t = await startTestApp({ env: { API_DOCS_ENABLED: 'false' } });
    try {
      expect((await fetch(`${t.url}/api/openapi.json`)).status).toBe(404);
      expect((await fetch(`${t.url}/api/docs`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
