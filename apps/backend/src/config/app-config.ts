import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema, type Env } from './config.schema.js';

export type LogLevel = Env['LOG_LEVEL'];

/** Readonly all the way down (arrays included); a Buffer stays as it is. */
type Frozen<T> = T extends Buffer
  ? T
  : T extends readonly (infer U)[]
    ? readonly Frozen<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Frozen<T[K]> }
      : T;

/** The configuration's shape: what `configValues` makes of the parsed environment (types from `envSchema`). */
export type AppConfigValues = Frozen<ReturnType<typeof configValues>>;

/** Gives the class its fields from `AppConfigValues`, so they are not declared a second time. */
const ConfigFields = class {
  constructor(values: AppConfigValues) {
    Object.assign(this, values);
  }
} as new (values: AppConfigValues) => AppConfigValues;

/** The validated configuration; also the DI token classes inject to read it. */
export class AppConfig extends ConfigFields {
  constructor(values: AppConfigValues) {
    super(values);
    Object.freeze(this);
  }

  get isProduction(): boolean {
    return this.env === 'production';
  }

  /** Same values with some replaced; tests use it to vary one setting. */
  with(overrides: Partial<AppConfigValues>): AppConfig {
    return new AppConfig({ ...this, ...overrides });
  }
}

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const JWT_SECRET_FILE = 'jwt-secret';

const JWT_SECRET_MIN_BYTES = 32;

/**
 * Outside production a missing JWT_SECRET is generated once and kept in DATA_DIR, so tokens
 * survive restarts; in production it must be set (loadConfig reports that with the other problems).
 */
function resolveJwtSecret(env: Env, dataDir: string): string {
  if (env.JWT_SECRET !== undefined) return env.JWT_SECRET;
  const file = path.join(dataDir, JWT_SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // Written whole under a private name, then linked into place: link() fails when another
    // instance got there first, and nobody ever reads a half-written secret.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (Buffer.byteLength(secret) < JWT_SECRET_MIN_BYTES) {
    throw new ConfigError(
      `Invalid configuration:\n  - JWT_SECRET: unset, and the generated one in ${file} is shorter than ` +
        `${JWT_SECRET_MIN_BYTES} bytes; delete that file to generate a new one, or set JWT_SECRET`,
    );
  }
  return secret;
}

/** The audit log's email-hash key: AUDIT_HMAC_SECRET, or HKDF of JWT_SECRET under a fixed label. */
function auditHmacKey(configured: string | undefined, jwtSecret: string): Buffer {
  if (configured !== undefined) return Buffer.from(configured);
  return Buffer.from(hkdfSync('sha256', jwtSecret, '', 'tasks-api audit email hmac v1', 32));
}

/** A tenth of the retention, at least a minute and at most an hour, unless set. */
function pruneIntervalMs(retentionSeconds: number, configured: number | undefined): number {
  if (configured !== undefined) return configured * 1000;
  return Math.min(3600, Math.max(60, Math.round(retentionSeconds / 10))) * 1000;
}

/** The OTLP spec: the signal-specific URL is used as is, the base endpoint gets `/v1/traces` appended. */
function tracesUrl(env: Env): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/** The configuration's values from the parsed environment and what loadConfig resolved beside it. */
function configValues(env: Env, dataDir: string, jwtSecret: string) {
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    /** PostgreSQL URL; undefined selects the embedded PGlite database under `dataDir`. */
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    /** Named prepared statements on PostgreSQL (off behind a pooler that cannot keep them). */
    databasePreparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    redisUrl: env.REDIS_URL,
    /** Prefix of the Socket.IO stream, session keys and channels in Redis (deployments sharing a Redis). */
    socketIoKeyPrefix: env.SOCKET_IO_KEY_PREFIX,
    dataDir,
    jwt: {
      secret: jwtSecret,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      expiresInSeconds: env.JWT_EXPIRES_IN,
    },
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    authRateLimit: {
      login: env.AUTH_RATE_LIMIT_LOGIN,
      loginPerAddress: env.AUTH_RATE_LIMIT_LOGIN_ADDRESS,
      register: env.AUTH_RATE_LIMIT_REGISTER,
      keyPrefix: env.AUTH_RATE_LIMIT_KEY_PREFIX,
    },
    passwordHashing: { concurrency: env.PASSWORD_HASH_CONCURRENCY, queue: env.PASSWORD_HASH_QUEUE },
    /** HMAC key of the emails in audit events (AUDIT_HMAC_SECRET, or derived from JWT_SECRET). */
    auditHmacKey: auditHmacKey(env.AUDIT_HMAC_SECRET, jwtSecret),
    tasks: {
      enabled: env.TASKS_API_ENABLED,
      timeoutMs: env.TASKS_API_TIMEOUT,
      maxConcurrent: env.TASKS_MAX_CONCURRENT,
      /** Log entries kept per task (the newest). */
      logLimit: env.TASKS_LOG_LIMIT,
      /** Live tasks a user may hold. */
      maxPerUser: env.TASKS_MAX_PER_USER,
      /** Writes under /api/tasks per user per minute. */
      writeRateLimit: env.TASKS_WRITE_RATE_LIMIT,
      /** Seconds an Idempotency-Key's answer is kept for replay. */
      idempotencyTtlSeconds: env.IDEMPOTENCY_TTL,
    },
    changes: {
      /** CHANGES_RETENTION in seconds. */
      retentionSeconds: env.CHANGES_RETENTION,
      /** Between two prune runs. */
      pruneIntervalMs: pruneIntervalMs(env.CHANGES_RETENTION, env.CHANGES_PRUNE_INTERVAL),
    },
    realtime: {
      socketsPerUser: env.SOCKETS_PER_USER,
      /** Between two renewals of this instance's places in the Redis socket count. */
      socketSlotHeartbeatMs: env.SOCKETS_PER_USER_HEARTBEAT * 1000,
      /** A place not renewed for this long stops counting (the sockets of an instance that died). */
      socketSlotTtlMs: env.SOCKETS_PER_USER_HEARTBEAT * 3000,
    },
    docsEnabled: env.API_DOCS_ENABLED,
    /** Fastify's trustProxy: false, a hop count, or proxy addresses/CIDRs. */
    trustProxy: env.TRUST_PROXY,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
    /** Prometheus endpoint; `port` undefined = metrics off. */
    metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST },
    /** OTLP/HTTP traces URL (…/v1/traces); undefined = tracing off. */
    tracing: {
      tracesUrl: tracesUrl(env),
      serviceName: env.OTEL_SERVICE_NAME,
      sampleRatio: env.OTEL_TRACES_SAMPLER === 'parentbased_traceidratio' ? env.OTEL_TRACES_SAMPLER_ARG : 1,
    },
  };
}

/** Reads and validates the environment. The only place the backend reads `process.env`. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // A blank variable (`PORT=` in an env file) means unset, for every variable alike.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value?.trim() !== ''));
  const parsed = envSchema.safeParse(set);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  // Reported with the others, so one start-up attempt names every bad variable.
  const production = (parsed.success ? parsed.data.NODE_ENV : source.NODE_ENV?.trim()) === 'production';
  if (production && !source.JWT_SECRET?.trim()) {
    problems.push(`  - JWT_SECRET: required in production (at least ${JWT_SECRET_MIN_BYTES} bytes)`);
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const env = parsed.data;
  // `pnpm start` runs in apps/backend; relative paths are taken from where the user typed it.
  const baseDir = source.INIT_CWD ?? process.cwd();
  const dataDir = path.resolve(baseDir, env.DATA_DIR ?? '.data');
  const jwtSecret = resolveJwtSecret(env, dataDir);
  return new AppConfig(configValues(env, dataDir, jwtSecret));
}

