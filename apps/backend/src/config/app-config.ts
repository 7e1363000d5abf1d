import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema, type Env } from './config.schema.js';

export type LogLevel = Env['LOG_LEVEL'];

export interface AppConfigValues {
  readonly env: Env['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  /** PostgreSQL URL; undefined selects the embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly redisUrl: string | undefined;
  readonly dataDir: string;
  readonly jwt: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly expiresInSeconds: number;
  };
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly authRateLimit: { readonly login: number; readonly register: number };
  readonly tasks: { readonly enabled: boolean; readonly timeoutMs: number; readonly maxConcurrent: number };
  readonly docsEnabled: boolean;
  readonly trustProxy: boolean;
  readonly shutdownTimeoutMs: number;
}

/** The validated configuration; also the DI token classes inject to read it. */
export class AppConfig implements AppConfigValues {
  readonly env!: AppConfigValues['env'];
  readonly port!: number;
  readonly host!: string;
  readonly databaseUrl!: string | undefined;
  readonly databasePoolSize!: number;
  readonly redisUrl!: string | undefined;
  readonly dataDir!: string;
  readonly jwt!: AppConfigValues['jwt'];
  readonly corsOrigins!: readonly string[];
  readonly logLevel!: LogLevel;
  readonly authRateLimit!: AppConfigValues['authRateLimit'];
  readonly tasks!: AppConfigValues['tasks'];
  readonly docsEnabled!: boolean;
  readonly trustProxy!: boolean;
  readonly shutdownTimeoutMs!: number;

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
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

/**
 * Outside production a missing JWT_SECRET is generated once and kept in DATA_DIR, so tokens
 * survive restarts; in production it must be set.
 */
function resolveJwtSecret(env: Env, dataDir: string): string {
  if (env.JWT_SECRET !== undefined) return env.JWT_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration:\n  - JWT_SECRET: required in production (at least 32 bytes)');
  }
  const file = path.join(dataDir, JWT_SECRET_FILE);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const secret = randomBytes(48).toString('base64url');
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      // Another instance wrote it first: use that one.
      return readFileSync(file, 'utf8').trim();
    }
  }
}

/** Reads and validates the environment. The only place the backend reads `process.env`. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  // `pnpm start` runs in apps/backend; relative paths are taken from where the user typed it.
  const baseDir = source.INIT_CWD ?? process.cwd();
  const dataDir = path.resolve(baseDir, env.DATA_DIR ?? '.data');
  return new AppConfig({
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    dataDir,
    jwt: {
      secret: resolveJwtSecret(env, dataDir),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      expiresInSeconds: env.JWT_EXPIRES_IN,
    },
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    authRateLimit: { login: env.AUTH_RATE_LIMIT_LOGIN, register: env.AUTH_RATE_LIMIT_REGISTER },
    tasks: {
      enabled: env.TASKS_API_ENABLED,
      timeoutMs: env.TASKS_API_TIMEOUT,
      maxConcurrent: env.TASKS_MAX_CONCURRENT,
    },
    docsEnabled: env.API_DOCS_ENABLED,
    trustProxy: env.TRUST_PROXY,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT,
  });
}
