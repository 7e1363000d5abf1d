import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino, type Logger } from 'pino';
import { createApp, type CreateAppOptions } from '../../src/app.factory.js';
import { type AppConfig, type AppConfigValues, loadConfig } from '../../src/config/app-config.js';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from './databases.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestApp {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  app: NestFastifyApplication;
  config: AppConfig;
  /** Direct database access for assertions (never used by the code under test). */
  prisma: PrismaClient;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  overrides?: Partial<AppConfigValues>;
  /** Reuse a database (e.g. to restart an app on the same data); otherwise a fresh one is made. */
  database?: ThrowawayDatabase;
  /** Extra modules mounted beside the app's own, e.g. a test-only controller. */
  imports?: CreateAppOptions['imports'];
}

function captureLogger(lines: Record<string, unknown>[]): Logger {
  return pino(
    { level: 'info' },
    {
      write(chunk: string) {
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
      },
    },
  );
}

/** Starts the real application in-process on a free port with its own throwaway database. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createThrowawayDatabase());
  const ownsDatabase = options.database === undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: database.dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    // Factories register many users from 127.0.0.1; rate-limit tests set small limits themselves.
    AUTH_RATE_LIMIT_REGISTER: '1000000',
    // Each app its own rate-limit keys, so apps sharing one Redis never count each other's requests.
    AUTH_RATE_LIMIT_KEY_PREFIX: `test-rl-${randomUUID()}`,
    // Likewise its own Socket.IO stream and sessions; apps meant to share them pass one prefix in env.
    SOCKET_IO_KEY_PREFIX: `test-sio-${randomUUID()}`,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...options.env,
  }).with(options.overrides ?? {});
  const logs: Record<string, unknown>[] = [];
  const { app } = await createApp(config, captureLogger(logs), { imports: options.imports });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    config,
    prisma: app.get(PrismaClient),
    logs,
    close: async () => {
      await app.close();
      if (ownsDatabase) await database.drop();
    },
  };
}
