import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/database/migrator.js';
import { createThrowawayDatabase, usingPostgres, type ThrowawayDatabase } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const messages = (t: TestApp) => t.logs.map((line) => String(line.msg));

describe('restart', { timeout: 120_000 }, () => {
  let database: ThrowawayDatabase | undefined;
  const apps: TestApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await database?.drop();
    database = undefined;
  });
  const start = async (env?: Record<string, string>) => {
    const t = await startTestApp({ database, ...(env ? { env } : {}) });
    apps.push(t);
    return t;
  };

  it('should keep the data and apply nothing twice when the app restarts on the same database', async () => {
    database = await createThrowawayDatabase();
    const first = await start();
    const expected = usingPostgres ? 'Using PostgreSQL at' : 'Using embedded PGlite database at';
    expect(messages(first).some((m) => m.startsWith(expected))).toBe(true);
    expect(messages(first).filter((m) => m.startsWith('Applied migration'))).toHaveLength(readMigrations().length);
    const email = `restart-${randomUUID()}@example.com`;
    const user = await first.prisma.user.create({ data: { email, passwordHash: 'not-a-real-hash' } });
    const task = await first.prisma.task.create({ data: { userId: user.id, title: 'survives restarts', logCount: 1 } });
    await first.close();
    apps.splice(0);

    const second = await start();

    expect(await second.prisma.user.findUnique({ where: { email } })).toMatchObject({ id: user.id });
    expect(await second.prisma.task.findUnique({ where: { id: task.id } })).toMatchObject({
      title: 'survives restarts',
      status: 'PENDING',
      priority: 'MEDIUM',
      logCount: 1,
      version: 1,
    });
    expect(messages(second).some((m) => m.startsWith('Applied migration'))).toBe(false);
    const recorded = await second.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "_prisma_migrations"`;
    expect(recorded).toEqual([{ n: readMigrations().length }]);
    expect((await fetch(`${second.url}/api/health/ready`)).status).toBe(200);
  });

  it('should sign with the same generated JWT secret after a restart when JWT_SECRET is unset', async () => {
    database = await createThrowawayDatabase();
    const first = await start({ JWT_SECRET: '' });
    const secret = first.config.jwt.secret;
    await first.close();
    apps.splice(0);

    const second = await start({ JWT_SECRET: '' });

    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(second.config.jwt.secret).toBe(secret);
  });
});
