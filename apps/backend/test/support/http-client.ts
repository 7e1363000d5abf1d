import { randomUUID } from 'node:crypto';

/** One HTTP exchange, body parsed when it is JSON. */
export interface Exchange {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  body: unknown;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (no JSON encoding). */
  rawBody?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Thin fetch wrapper for black-box tests against a running server. */
export async function call(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Exchange> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: unknown = undefined;
  if (contentType.includes('json') && text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: response.status, headers: response.headers, contentType, text, body: parsed };
}

export interface Account {
  email: string;
  password: string;
  token: string;
  id: string;
}

/** Registers a fresh account over HTTP and returns its token. */
export async function registerAccount(baseUrl: string, label = 'user'): Promise<Account> {
  const email = `${label}-${randomUUID()}@example.test`;
  const password = `pw-${randomUUID()}`;
  const response = await call(baseUrl, 'POST', '/api/auth/register', { body: { email, password } });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
  const body = response.body as { accessToken: string; user: { id: string } };
  return { email, password, token: body.accessToken, id: body.user.id };
}
