/**
 * A client built only from the served document: types by openapi-typescript (generated/tasks-api.d.ts),
 * calls by openapi-fetch. It compiles in strict mode (test/openapi/typed-client.spec.ts runs tsc on it)
 * and walks the whole flow against a running server.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/tasks-api.js';

type Problem = components['schemas']['Problem'];

function fail(step: string, status: number, problem: unknown): never {
  throw new Error(`${step} answered ${status}: ${JSON.stringify(problem)}`);
}

/** Register, log in, create, list, get, patch, append a log, read the logs, delete; returns what it saw. */
export async function runFlow(baseUrl: string, email: string, password: string): Promise<Record<string, unknown>> {
  const client = createClient<paths>({ baseUrl });

  const registered = await client.POST('/api/auth/register', { body: { email, password } });
  if (!registered.data) fail('register', registered.response.status, registered.error);

  const login = await client.POST('/api/auth/login', { body: { email, password } });
  if (!login.data) fail('login', login.response.status, login.error);
  const headers = { authorization: `Bearer ${login.data.accessToken}` };

  const created = await client.POST('/api/tasks', { headers, body: { title: 'Typed client task', priority: 'HIGH' } });
  if (!created.data) fail('create', created.response.status, created.error);
  const id = created.data.id;

  const list = await client.GET('/api/tasks', { headers, params: { query: { limit: 5, offset: 0, sort: '-createdAt' } } });
  if (!list.data) fail('list', list.response.status, list.error);

  const got = await client.GET('/api/tasks/{id}', { headers, params: { path: { id } } });
  if (!got.data) fail('get', got.response.status, got.error);
  const etag = got.response.headers.get('etag') ?? '*';

  const patched = await client.PATCH('/api/tasks/{id}', {
    headers: { ...headers, 'If-Match': etag },
    params: { path: { id } },
    body: { status: 'RUNNING' },
  });
  if (!patched.data) fail('patch', patched.response.status, patched.error);

  const logged = await client.POST('/api/tasks/{id}/logs', { headers, params: { path: { id } }, body: { message: 'Started', level: 'info' } });
  if (!logged.data) fail('log', logged.response.status, logged.error);

  const logs = await client.GET('/api/tasks/{id}/logs', { headers, params: { path: { id }, query: { limit: 10 } } });
  if (!logs.data) fail('logs', logs.response.status, logs.error);

  const deleted = await client.DELETE('/api/tasks/{id}', { headers, params: { path: { id } } });
  if (deleted.response.status !== 204) fail('delete', deleted.response.status, deleted.error);

  const gone = await client.GET('/api/tasks/{id}', { headers, params: { path: { id } } });
  const problem: Problem | undefined = gone.error;

  return {
    user: login.data.user.email,
    listed: list.data.items.map((task) => task.id),
    total: list.data.total,
    status: patched.data.status,
    version: patched.data.version,
    log: logged.data.message,
    logs: logs.data.items.length,
    goneStatus: gone.response.status,
    goneType: problem?.type,
  };
}
