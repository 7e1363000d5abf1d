// The baseline: the floor of what Node + Fastify + pg can do for the five benchmarked routes. The same
// work as apps/backend (the access-token checks, the user and revocation lookup, the same statements
// in the same round trips, the same JSON, ETags, change rows and response headers), each done the
// cheapest correct way; no DI, guards, interceptors, Zod, helmet, CORS or request log (docs/benchmarks.md).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import pg from 'pg';
import { accessTokenCheck, verifiedTokens } from './hs256.js';
import { HttpProblem, registerRoutes } from './routes.js';
import { tokenValid } from './statements.js';

const env = process.env;
const jwtSecret = env.JWT_SECRET ?? '';
const checkToken = accessTokenCheck({ secret: jwtSecret, issuer: env.JWT_ISSUER ?? 'tasks-api', audience: env.JWT_AUDIENCE ?? 'tasks-api' });
const verified = verifiedTokens();
const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.DATABASE_POOL_SIZE ?? 10),
  statement_timeout: 10_000,
});
pool.on('error', () => undefined);

// What the app's helmet and CORS settings add to every answer to a request without an Origin: the same
// bytes, sent as constants (the bench compares both servers' headers before measuring).
const APP_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests;connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  vary: 'Origin',
  'access-control-expose-headers': 'etag, location, retry-after, x-request-id, www-authenticate, ratelimit, ratelimit-policy, idempotent-replayed',
};

// RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
// The app echoes a client's request id when it is safe in logs and headers (request-id.ts).
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The app's guard: the token's checks (once per token, as the app's), then its user and jti in one statement. */
async function authenticate(request: FastifyRequest): Promise<string> {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  const remembered = token === undefined ? undefined : verified.recall(token);
  const claims = remembered ?? (token === undefined ? null : checkToken(token));
  if (!claims) throw new HttpProblem(401, 'Unauthorized', 'Invalid access token');
  if (!(await tokenValid(pool, claims.sub, claims.jti))) throw new HttpProblem(401, 'Unauthorized', 'Invalid access token');
  if (!remembered) verified.remember(token!, claims);
  return claims.sub;
}

const app = Fastify({
  logger: false,
  genReqId: (request: IncomingMessage) => {
    const sent = request.headers['x-request-id'];
    return typeof sent === 'string' && SAFE_REQUEST_ID.test(sent) ? sent : randomUUID();
  },
  bodyLimit: 1024 * 1024,
});
app.addHook('onRequest', (request, reply, done) => {
  void reply.header('x-request-id', request.id).headers(APP_HEADERS);
  done();
});
app.setErrorHandler((error: Error & { statusCode?: number }, request, reply: FastifyReply) => {
  const status = error instanceof HttpProblem ? error.status : (error.statusCode ?? 500);
  // No logger: only failures are written, as the app at LOG_LEVEL=warn writes only those.
  if (status >= 500) console.error(`${request.method} ${request.url} failed:`, error);
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: status >= 500 ? 'Internal Server Error' : error.message, status, instance: request.url });
});

registerRoutes(app, {
  pool,
  authenticate,
  jwtSecret,
  maxTasksPerUser: Number(env.TASKS_MAX_PER_USER ?? 100_000),
  logLimit: Number(env.TASKS_LOG_LIMIT ?? 200),
  writeTimeoutMs: 10_000,
});

await app.listen({ port: Number(env.PORT ?? 0), host: env.HOST ?? '127.0.0.1' });
const shutdown = () => {
  void app.close().then(() => pool.end()).finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
