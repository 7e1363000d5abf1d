// The one typed client of the Tasks API, shared by the web UI, the E2E suite, the backend's integration tests, bench and soak. Every type comes
// from @tasks/schemas and every response is parsed with the shared schemas, so a backend that
// drifts from the contract fails loudly here instead of rendering half-broken data.
import {
  authResponseSchema,
  changesPageSchema,
  historyPageSchema,
  bulkResponseSchema,
  logEntrySchema,
  logPageSchema,
  problemSchema,
  taskListSchema,
  taskStatsSchema,
  taskSchema,
  userSchema,
  type AppendLogInput,
  type AuthResponse,
  type ChangesPage,
  type HistoryPage,
  type BulkChangeInput,
  type BulkResponse,
  type CreateTaskInput,
  type LogEntry,
  type LogPage,
  type LoginInput,
  type RegisterInput,
  type ReplaceTaskInput,
  type Task,
  type TaskList,
  type TaskStats,
  type TaskPriority,
  type TaskSort,
  type TaskStatus,
  type UpdateTaskInput,
  type User,
} from '@tasks/schemas';
import type { z } from 'zod';
import { ApiError, ContractDriftError } from './errors.js';
import { DEFAULT_RETRY, type RetryPolicy, sendWithRetries } from './retry.js';
import { subscribeToTasks, type TaskSubscription } from './subscription.js';

/** Query of `GET /api/tasks`; list values are sent as a comma list. */
export interface TaskListFilter {
  status?: TaskStatus | readonly TaskStatus[];
  priority?: TaskPriority | readonly TaskPriority[];
  /** Words of the title or description (1–200 characters). */
  q?: string;
  limit?: number;
  /** Not with `cursor`. */
  offset?: number;
  /** The previous page's `nextCursor`; send the same status, priority, q and sort with it. */
  cursor?: string | null;
  sort?: TaskSort;
}

/** Query of `GET /api/tasks/:id/logs`: `cursor` is the previous page's `nextCursor`. */
export interface LogPageOptions {
  limit?: number;
  cursor?: string | null;
}

export interface WriteOptions {
  /** The task version the change is based on; a stale one gets 412 and changes nothing. */
  ifMatch?: number;
}

export interface ContractClientOptions {
  /** Origin of the API, e.g. `http://127.0.0.1:3000` (no `/api`). */
  baseUrl: string;
  /** Bearer token to start with; `login`/`register` replace it and `logout` clears it. */
  token?: string | null;
  fetch?: typeof globalThis.fetch;
  /** Per-request time limit in milliseconds. */
  timeoutMs?: number;
  /** Retries of writes (one Idempotency-Key for all tries of one write); `false` = one try only. */
  retry?: Partial<RetryPolicy> | false;
  /** Makes each write's Idempotency-Key (default crypto.randomUUID). */
  idempotencyKey?: () => string;
}

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RequestSpec<T> {
  method: HttpMethod;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  schema?: z.ZodType<T>;
  auth?: boolean;
}

type QueryValue = string | number | readonly string[] | null | undefined;

/** `?a=1&b=x,y` from the set values (lists as a comma list), or '' when none is set. */
function queryString(values: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue;
    params.set(name, typeof value === 'object' ? value.join(',') : String(value));
  }
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ContractDriftError(what, result.error.issues);
  return result.data;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Turns any non-2xx response into an ApiError, even when a proxy answered without a problem body. */
async function toApiError(response: Response, path: string): Promise<ApiError> {
  const parsed = problemSchema.safeParse(await readJson(response));
  if (parsed.success) return new ApiError(parsed.data, response.headers);
  return new ApiError(
    {
      type: 'about:blank',
      title: response.statusText || 'Error',
      status: response.status >= 400 && response.status <= 599 ? response.status : 502,
      detail: `The server answered ${response.status} without a problem document.`,
      instance: path,
    },
    response.headers,
  );
}

export function createContractClient(options: ContractClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 15_000;
  let token: string | null = options.token ?? null;
  const retry: RetryPolicy = options.retry === false ? { ...DEFAULT_RETRY, attempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
  const newKey = options.idempotencyKey ?? (() => globalThis.crypto.randomUUID());

  async function request<T>(spec: RequestSpec<T>): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...spec.headers };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.auth !== false && token !== null) headers.authorization = `Bearer ${token}`;
    const send = () =>
      fetchImpl(`${baseUrl}${spec.path}`, {
        method: spec.method,
        headers,
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    // Task writes carry a fresh key, the same on every retry: the server applies them once.
    const write = spec.method !== 'GET' && spec.path.startsWith('/api/tasks');
    if (write) headers['idempotency-key'] = newKey();
    const response = await (write ? sendWithRetries(send, retry) : send());
    if (!response.ok) throw await toApiError(response, spec.path);
    const what = `${spec.method} ${spec.path.split('?')[0] ?? spec.path}`;
    if (spec.schema === undefined) {
      if (response.status !== 204) await response.body?.cancel();
      return undefined as T;
    }
    return parseWith(spec.schema, await readJson(response), what);
  }

  const taskPath = (id: string) => `/api/tasks/${encodeURIComponent(id)}`;
  const ifMatch = (write?: WriteOptions): Record<string, string> =>
    write?.ifMatch === undefined ? {} : { 'if-match': `"${write.ifMatch}"` };

  async function authenticate(path: string, input: RegisterInput | LoginInput): Promise<AuthResponse> {
    const auth = await request({ method: 'POST', path, body: input, schema: authResponseSchema, auth: false });
    token = auth.accessToken;
    return auth;
  }

  return {
    get token(): string | null {
      return token;
    },
    setToken(next: string | null): void {
      token = next;
    },

    // ----- auth -----
    register: (input: RegisterInput): Promise<AuthResponse> => authenticate('/api/auth/register', input),
    login: (input: LoginInput): Promise<AuthResponse> => authenticate('/api/auth/login', input),
    me: (): Promise<User> => request({ method: 'GET', path: '/api/auth/me', schema: userSchema }),
    async logout(): Promise<void> {
      try {
        await request<undefined>({ method: 'POST', path: '/api/auth/logout' });
      } finally {
        token = null;
      }
    },

    // ----- tasks -----
    getTasks: ({ status, priority, q, limit, offset, cursor, sort }: TaskListFilter = {}): Promise<TaskList> =>
      request({ method: 'GET', path: `/api/tasks${queryString({ status, priority, q, limit, offset, cursor, sort })}`, schema: taskListSchema }),
    /** Counts of the live tasks: in total, per status and per priority. */
    getTaskStats: (): Promise<TaskStats> => request({ method: 'GET', path: '/api/tasks/stats', schema: taskStatsSchema }),
    createTask: (data: CreateTaskInput): Promise<Task> =>
      request({ method: 'POST', path: '/api/tasks', body: data, schema: taskSchema }),
    getTaskById: (id: string): Promise<Task> => request({ method: 'GET', path: taskPath(id), schema: taskSchema }),
    updateTask: (id: string, data: UpdateTaskInput, write?: WriteOptions): Promise<Task> =>
      request({ method: 'PATCH', path: taskPath(id), body: data, headers: ifMatch(write), schema: taskSchema }),
    replaceTask: (id: string, data: ReplaceTaskInput, write?: WriteOptions): Promise<Task> =>
      request({ method: 'PUT', path: taskPath(id), body: data, headers: ifMatch(write), schema: taskSchema }),
    completeTask: (id: string): Promise<Task> =>
      request({ method: 'PATCH', path: `${taskPath(id)}/complete`, schema: taskSchema }),
    /** The new entry; the task it changed arrives as a `task:updated` event (or read it again). */
    appendLog: (id: string, entry: { message: string; level?: AppendLogInput['level'] }): Promise<LogEntry> =>
      request({ method: 'POST', path: `${taskPath(id)}/logs`, body: entry, schema: logEntrySchema }),
    /** One page of a task's log entries, newest first; pass `nextCursor` back to continue. */
    listLogs: (id: string, { limit, cursor }: LogPageOptions = {}): Promise<LogPage> =>
      request({ method: 'GET', path: `${taskPath(id)}/logs${queryString({ limit, cursor })}`, schema: logPageSchema }),
    deleteTask: (id: string): Promise<void> => request<undefined>({ method: 'DELETE', path: taskPath(id) }),
    /** The changes after `since` (a list's `changesCursor` or a page's `cursor`), oldest first; without it, the current cursor. */
    changes: (since?: string, limit?: number): Promise<ChangesPage> =>
      request({ method: 'GET', path: `/api/tasks/changes${queryString({ since, limit })}`, schema: changesPageSchema }),
    /** One page of a task's kept changes, newest first; pass `nextCursor` back to continue. */
    history: (id: string, { limit, cursor }: LogPageOptions = {}): Promise<HistoryPage> =>
      request({ method: 'GET', path: `${taskPath(id)}/history${queryString({ limit, cursor })}`, schema: historyPageSchema }),
    /** One status change, or deletion, for up to 100 tasks: a result per id, in their order. */
    bulk: (input: BulkChangeInput): Promise<BulkResponse> =>
      request({ method: 'POST', path: '/api/tasks/bulk', body: input, schema: bulkResponseSchema }),

    // ----- real-time -----
    /** Opens the `/tasks` namespace with the current token; events arrive parsed and typed. */
    subscribe(): TaskSubscription {
      return subscribeToTasks(baseUrl, token);
    },
  };
}

export type ContractClient = ReturnType<typeof createContractClient>;
