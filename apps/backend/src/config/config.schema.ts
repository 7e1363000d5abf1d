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

/** Every environment variable the backend reads; see .env.example for each one's meaning. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65_535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATABASE_URL: url(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
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
  /** Namespace of the rate-limit keys in Redis, so deployments (or test runs) sharing one Redis stay apart. */
  AUTH_RATE_LIMIT_KEY_PREFIX: z.string().trim().min(1).max(100).default('tasks:rl'),
  TASKS_API_ENABLED: boolean.default(true),
  TASKS_API_TIMEOUT: integer(1, 600_000).default(10_000),
  TASKS_MAX_CONCURRENT: integer(1, 1_000_000).default(5),
  TASKS_LOG_LIMIT: integer(1, 10_000).default(200),
  TASKS_MAX_PER_USER: integer(1, 100_000_000).default(100_000),
  TASKS_WRITE_RATE_LIMIT: integer(1, 1_000_000).default(1200),
  SOCKETS_PER_USER: integer(1, 1_000_000).default(50),
  SOCKET_RECOVERY_MAX_EVENTS: integer(1, 1_000_000).default(10_000),
  SOCKET_RECOVERY_MAX_BYTES: integer(65_536, 1_073_741_824).default(16 * 1024 * 1024),
  API_DOCS_ENABLED: boolean.default(true),
  TRUST_PROXY: boolean.default(false),
  SHUTDOWN_TIMEOUT: integer(0, 600_000).default(10_000),
});

export type Env = z.output<typeof envSchema>;
