/** One HTTP exchange, body parsed when it is JSON. */
export interface Exchange {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  body: unknown;
}

export interface RawRequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (no JSON encoding): for malformed requests the typed client cannot send. */
  rawBody?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * The untyped side of the client: any method, path, headers and body, nothing parsed against the
 * contract. For tests and tools that must send what the API should refuse.
 */
export async function rawRequest(baseUrl: string, method: string, path: string, options: RawRequestOptions = {}): Promise<Exchange> {
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
