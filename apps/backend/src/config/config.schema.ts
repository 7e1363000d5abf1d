import { isIP } from 'node:net';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Environment values are strings; blank means unset. */
const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const boolean = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** `3600`, `90s`, `15m`, `24h`, `7d` → seconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+[smhd]?$/, 'must be a duration such as 3600, 15m, 24h or 7d')
  .transform((value) => {
    const unit = /[smhd]$/.test(value) ? value.slice(-1) : 's';
    return Number.parseInt(value, 10) * (DURATION_UNITS[unit] ?? 1);
  })
  .pipe(z.number().int().min(1, 'must be at least one second'));

const url = (protocols: readonly string[]) =>
  optionalString.pipe(
    z
      .url({ message: `must be a URL (${protocols.join(', ')})` })
      .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
        message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
      })
      .optional(),
  );

const origins = optionalString.transform((value, ctx) => {
  if (value === undefined) return [];
  const list = value.split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of list) {
    if (origin === '*') continue;
    try {
      const parsed = new URL(origin);
      if (parsed.origin !== origin) throw new Error('not an origin');
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin such as https://app.example.com` });
    }
  }
  return list;
});

const CIDR = /^(?<address>[0-9a-fA-F.:]+)(?:\/(?<bits>\d{1,3}))?$/;

/**
 * TRUST_PROXY: `false`, a hop count, or a comma list of proxy addresses/CIDRs (Fastify's trustProxy).
 * A bare `true` would trust every hop, so any client could name its own address: refused.
 */
const trustProxy = optionalString.transform((value, ctx): false | number | string[] => {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') {
    ctx.addIssue({
      code: 'custom',
      message:
        '"true" would trust every X-Forwarded-For hop, so any client could pick its own address and escape the rate limits; ' +
        'set the number of proxies in front of the server (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,192.168.1.5)',
    });
    return false;
  }
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const list = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of list) {
    const match = CIDR.exec(entry);
    const version = match?.groups?.address ? isIP(match.groups.address) : 0;
    const bits = match?.groups?.bits === undefined ? undefined : Number(match.groups.bits);
    if (version === 0 || (bits !== undefined && bits > (version === 4 ? 32 : 128))) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is neither a hop count nor an IP address or CIDR` });
    }
  }
  return list;
});

/** Every environment variable the backend reads; see .env.example for each one's meaning. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65_535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATABASE_URL: url(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  DATABASE_PREPARED_STATEMENTS: boolean.default(true),
  REDIS_URL: url(['redis', 'rediss']),
  SOCKET_IO_KEY_PREFIX: z.string().trim().min(1).max(100).default('tasks:sio'),
  DATA_DIR: optionalString,
  JWT_SECRET: optionalString.pipe(
    z
      .string()
      .refine((value) => Buffer.byteLength(value) >= 32, { message: 'must be at least 32 bytes' })
      .optional(),
  ),
  JWT_ISSUER: z.string().trim().min(1).default('tasks-api'),
  JWT_AUDIENCE: z.string().trim().min(1).default('tasks-api'),
  JWT_EXPIRES_IN: duration.default(86_400),
  CORS_ORIGINS: origins,
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  AUTH_RATE_LIMIT_LOGIN: integer(1, 1_000_000).default(10),
  AUTH_RATE_LIMIT_REGISTER: integer(1, 1_000_000).default(20),
  AUTH_RATE_LIMIT_LOGIN_ADDRESS: integer(1, 1_000_000).default(50),
  /** argon2 hashes run at once; below libuv's thread pool (4) so file and DNS work keep a thread. */
  PASSWORD_HASH_CONCURRENCY: integer(1, 64).default(2),
  /** Hash requests waiting for a slot; past it, 503 with Retry-After. */
  PASSWORD_HASH_QUEUE: integer(0, 100_000).default(32),
  /** Key of the audit log's email hashes; derived from JWT_SECRET when unset. */
  AUDIT_HMAC_SECRET: optionalString.pipe(
    z
      .string()
      .refine((value) => Buffer.byteLength(value) >= 32, { message: 'must be at least 32 bytes' })
      .optional(),
  ),
  /** Namespace of the rate-limit keys in Redis, so deployments (or test runs) sharing one Redis stay apart. */
  AUTH_RATE_LIMIT_KEY_PREFIX: z.string().trim().min(1).max(100).default('tasks:rl'),
  TASKS_API_ENABLED: boolean.default(true),
  TASKS_API_TIMEOUT: integer(1, 600_000).default(10_000),
  TASKS_MAX_CONCURRENT: integer(1, 1_000_000).default(5),
  TASKS_LOG_LIMIT: integer(1, 10_000).default(200),
  TASKS_MAX_PER_USER: integer(1, 100_000_000).default(100_000),
  TASKS_WRITE_RATE_LIMIT: integer(1, 1_000_000).default(1200),
  /** How long the change feed keeps a change; older `since` cursors are a 410. */
  CHANGES_RETENTION: duration.default(7 * 86_400),
  /** How often one instance prunes the change log; unset = a tenth of the retention, within 1 min .. 1 h. */
  CHANGES_PRUNE_INTERVAL: duration.optional(),
  /** How long an Idempotency-Key's answer is kept for replay. */
  IDEMPOTENCY_TTL: duration.default(86_400),
  SOCKETS_PER_USER: integer(1, 1_000_000).default(50),
  /** How often each instance renews its sockets' places in the shared count; a place lapses after three. */
  SOCKETS_PER_USER_HEARTBEAT: duration.default(10),
  API_DOCS_ENABLED: boolean.default(true),
  TRUST_PROXY: trustProxy,
  SHUTDOWN_TIMEOUT: integer(0, 600_000).default(10_000),
  /** Prometheus metrics on their own port; unset = no metrics at all. */
  METRICS_PORT: integer(0, 65_535).optional(),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** OpenTelemetry tracing (standard variables); unset endpoint = no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https']),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url(['http', 'https']),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/json'], { message: 'only http/json is supported (OTLP over HTTP with JSON bodies)' })
    .default('http/json'),
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(200).default('tasks-api'),
  OTEL_TRACES_SAMPLER: z
    .enum(['parentbased_always_on', 'parentbased_traceidratio'], {
      message: 'must be parentbased_always_on or parentbased_traceidratio',
    })
    .default('parentbased_always_on'),
  /** The ratio of new traces kept with parentbased_traceidratio. */
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .trim()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a ratio between 0 and 1')
    .transform(Number)
    .default(1),
});

export type Env = z.output<typeof envSchema>;
