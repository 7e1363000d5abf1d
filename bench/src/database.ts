import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createPostgresDatabase, type PostgresDatabase } from '@tasks/testkit';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import type pg from 'pg';
import { backendDir } from './paths.js';

const run = promisify(execFile);

/** The little of a SQL connection seeding needs, over `pg` or PGlite alike. */
export interface Sql {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
}

export function pgSql(client: pg.Client | pg.Pool): Sql {
  return { query: async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[] };
}

export type ThrowawayDatabase = PostgresDatabase;

/** A fresh empty database on the server of `serverUrl`; dropped (with its connections) afterwards. */
export const createDatabase = (serverUrl: string): Promise<ThrowawayDatabase> => createPostgresDatabase(serverUrl, 'tasks_bench');

/** Applies the backend's migrations with its own migrator (`dist/migrate.js`). */
export async function migrate(env: NodeJS.ProcessEnv, node: string = process.execPath): Promise<void> {
  await run(node, ['dist/migrate.js'], { cwd: backendDir, env });
}

export const PASSWORD = 'bench-password-123';
export const emailOf = (index: number) => `bench-${index}@bench.test`;

/**
 * Seeds users `bench-1…` (all with the same pre-computed argon2id hash) and `tasksPerUser` tasks for every
 * bench user, in a few set-based statements: seconds for 100 × 1,000 rows. Tasks get realistic lifecycle
 * fields and some log entries; created_at is spread out so the list's sort index matters.
 */
export async function seed(sql: Sql, options: { users: number; tasksPerUser: number; passwordHash: string }): Promise<void> {
  await sql.query(
    `INSERT INTO users (id, email, password_hash, created_at, updated_at)
     SELECT gen_random_uuid(), 'bench-' || g || '@bench.test', $1, now(), now()
     FROM generate_series(0, $2::int - 1) AS g
     ON CONFLICT (email) DO NOTHING`,
    [options.passwordHash, options.users],
  );
  await sql.query(
    `INSERT INTO tasks (id, user_id, title, description, status, priority, started_at, completed_at, failed_at,
                        error_message, log_count, log_seq, last_log, version, created_at, updated_at)
     SELECT gen_random_uuid(), u.id, 'Task ' || g || ' of ' || u.email,
            CASE WHEN g % 3 = 0 THEN 'Description of task ' || g || ': ' || repeat('lorem ipsum ', 8) END,
            s.status::"TaskStatus", (ARRAY['LOW','MEDIUM','HIGH','URGENT'])[1 + g % 4]::"TaskPriority",
            CASE WHEN s.status IN ('RUNNING','COMPLETED','FAILED') THEN t.at + interval '1 minute' END,
            CASE WHEN s.status = 'COMPLETED' THEN t.at + interval '5 minutes' END,
            CASE WHEN s.status = 'FAILED' THEN t.at + interval '5 minutes' END,
            CASE WHEN s.status = 'FAILED' THEN 'exit code 1' END,
            CASE WHEN g % 5 = 0 THEN 2 ELSE 0 END, CASE WHEN g % 5 = 0 THEN 2 ELSE 0 END,
            CASE WHEN g % 5 = 0 THEN jsonb_build_object('id', gen_random_uuid(),
                   'at', to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'level', 'warn', 'message', 'slow step') END,
            1 + g % 3, t.at, t.at + interval '10 minutes'
     FROM users u
     CROSS JOIN generate_series(1, $1::int) AS g
     CROSS JOIN LATERAL (SELECT date_trunc('milliseconds', now() - make_interval(mins => g * 7)) AS at) AS t
     CROSS JOIN LATERAL (SELECT (ARRAY['PENDING','PENDING','RUNNING','COMPLETED','FAILED','CANCELLED'])[1 + g % 6] AS status) AS s
     WHERE u.email LIKE 'bench-%@bench.test'`,
    [options.tasksPerUser],
  );
  // The two entries of the tasks that have some; the newest is the task's last_log.
  await sql.query(
    `INSERT INTO task_logs (id, task_id, seq, at, level, message)
     SELECT gen_random_uuid(), t.id, 1, (t.last_log->>'at')::timestamptz, 'info'::"TaskLogLevel", 'started'
     FROM tasks t WHERE t.log_count = 2
     UNION ALL
     SELECT (t.last_log->>'id')::uuid, t.id, 2, (t.last_log->>'at')::timestamptz, 'warn'::"TaskLogLevel", 'slow step'
     FROM tasks t WHERE t.log_count = 2`,
  );
  await sql.query('ANALYZE');
}

export interface BenchUser {
  id: string;
  email: string;
  token: string;
  /** Seeded task ids of this user (for GET/PATCH /:id). */
  taskIds: string[];
}

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
}

/** An access token exactly like the backend's (HS256; sub, iat, exp, jti, iss, aud). */
export function signToken(userId: string, settings: JwtSettings): string {
  return jwt.sign({ sub: userId, jti: randomUUID() }, settings.secret, {
    algorithm: 'HS256',
    issuer: settings.issuer,
    audience: settings.audience,
    expiresIn: '6h',
  });
}

/** Bench users with a token each and up to `idsPerUser` of their task ids. */
export async function loadUsers(sql: Sql, settings: JwtSettings, idsPerUser = 20): Promise<BenchUser[]> {
  const rows = await sql.query<{ id: string; email: string; ids: string[] }>(
    `SELECT u.id::text AS id, u.email,
            (SELECT array_agg(t.id::text) FROM (SELECT id FROM tasks WHERE user_id = u.id AND deleted_at IS NULL
                                                ORDER BY id LIMIT $1) AS t) AS ids
     FROM users u WHERE u.email LIKE 'bench-%@bench.test' ORDER BY u.email`,
    [idsPerUser],
  );
  return rows.map((row) => ({ id: row.id, email: row.email, token: signToken(row.id, settings), taskIds: row.ids ?? [] }));
}
