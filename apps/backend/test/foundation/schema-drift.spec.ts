import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/database/migrator.js';
import { closeScratchDatabases, createScratchDatabase, type ScratchDatabase } from './support/scratch-database.js';
import { describeDatabase } from './support/database-description.js';
import { describeSchema, parseSchema, SCHEMA_FILE, type SchemaDescription } from './support/schema-description.js';

describe('schema drift', () => {
  let db: ScratchDatabase;
  const migrated = async (): Promise<SchemaDescription> => describeDatabase(db.session.query);

  beforeEach(async () => {
    db = await createScratchDatabase();
    await migrate(db.session);
  });
  afterEach(async () => {
    await db.close();
  });
  afterAll(closeScratchDatabases);

  it('should build exactly the tables, columns, enums, indexes and foreign keys of schema.prisma when migrated', async () => {
    expect(await migrated()).toEqual(describeSchema());
  });

  it('should read the models the issue requires from schema.prisma when describing it', () => {
    // Guards the comparison itself: an empty or half-read schema would make the test above vacuous.
    const schema = describeSchema();
    expect(Object.keys(schema.tables).sort()).toEqual(['idempotency_keys', 'revoked_tokens', 'task_changes', 'task_logs', 'tasks', 'users']);
    expect(schema.enums).toEqual({
      TaskStatus: ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'],
      TaskPriority: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'],
      TaskLogLevel: ['info', 'warn', 'error'],
      TaskChangeType: ['task:created', 'task:updated', 'task:deleted'],
    });
    expect(schema.tables.users!.change_seq).toEqual({ type: 'bigint', nullable: false, default: '0' });
    expect(schema.indexes.task_changes_user_id_task_id_seq_idx).toMatchObject({ columns: ['user_id', 'task_id', 'seq'] });
    expect(schema.indexes.task_changes_at_idx).toMatchObject({ columns: ['at'] });
    expect(Object.keys(schema.tables.tasks!)).toEqual(
      expect.arrayContaining([
        'id', 'title', 'description', 'status', 'priority', 'user_id', 'started_at', 'completed_at', 'failed_at',
        'error_message', 'log_count', 'log_seq', 'last_log', 'version', 'created_at', 'updated_at', 'deleted_at',
      ]),
    );
    expect(schema.tables.tasks).not.toHaveProperty('logs');
    expect(schema.tables.tasks!.last_log).toEqual({ type: 'jsonb', nullable: true, default: null });
    expect(schema.indexes.task_logs_task_id_seq_key).toMatchObject({ columns: ['task_id', 'seq'], unique: true });
    expect(schema.foreignKeys.task_logs_task_id_fkey).toMatchObject({ references: 'tasks', onDelete: 'CASCADE' });
    expect(schema.tables.tasks!.status).toEqual({ type: 'TaskStatus', nullable: false, default: `'PENDING'::"TaskStatus"` });
    expect(schema.indexes.tasks_user_id_status_idx).toMatchObject({ columns: ['user_id', 'status'], unique: false });
    expect(schema.indexes.tasks_created_at_idx).toMatchObject({ columns: ['created_at'] });
    expect(schema.indexes.users_email_key).toMatchObject({ columns: ['email'], unique: true });
    expect(schema.foreignKeys.tasks_user_id_fkey).toEqual({
      table: 'tasks', columns: ['user_id'], references: 'users', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'CASCADE',
    });
  });

  // Each change is one a hand-written migration could get wrong; the comparison must notice every one.
  it.each([
    ['a dropped index', 'DROP INDEX "tasks_created_at_idx"'],
    ['an index on other columns', 'DROP INDEX "tasks_user_id_status_idx"; CREATE INDEX "tasks_user_id_status_idx" ON "tasks"("status", "user_id")'],
    ['a unique index made plain', 'DROP INDEX "users_email_key"; CREATE INDEX "users_email_key" ON "users"("email")'],
    ['a partial index where the schema has none', 'DROP INDEX "tasks_created_at_idx"; CREATE INDEX "tasks_created_at_idx" ON "tasks"("created_at") WHERE "deleted_at" IS NULL'],
    ['a partial index made plain', 'DROP INDEX "tasks_user_id_priority_id_idx"; CREATE INDEX "tasks_user_id_priority_id_idx" ON "tasks"("user_id", "priority", "id")'],
    ['the search column as a plain column', 'ALTER TABLE "tasks" DROP COLUMN "search_vector"; ALTER TABLE "tasks" ADD COLUMN "search_vector" tsvector'],
    ['an extra index', 'CREATE INDEX "tasks_deleted_at_idx" ON "tasks"("deleted_at")'],
    ['a nullable column made required', 'ALTER TABLE "tasks" ALTER COLUMN "description" SET NOT NULL'],
    ['a changed column type', 'ALTER TABLE "tasks" ALTER COLUMN "error_message" TYPE VARCHAR(100)'],
    ['a changed default', 'ALTER TABLE "tasks" ALTER COLUMN "version" SET DEFAULT 0'],
    ['a dropped default', 'ALTER TABLE "tasks" ALTER COLUMN "priority" DROP DEFAULT'],
    ['an extra column', 'ALTER TABLE "users" ADD COLUMN "nickname" TEXT'],
    ['an extra enum value', `ALTER TYPE "TaskStatus" ADD VALUE 'ARCHIVED'`],
    [
      'a foreign key with another ON DELETE',
      'ALTER TABLE "tasks" DROP CONSTRAINT "tasks_user_id_fkey", ADD CONSTRAINT "tasks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE',
    ],
    ['a dropped foreign key', 'ALTER TABLE "revoked_tokens" DROP CONSTRAINT "revoked_tokens_user_id_fkey"'],
  ])('should report drift when the database has %s', async (_change, sql) => {
    await db.session.exec(sql);
    expect(await migrated()).not.toEqual(describeSchema());
  });

  it('should report drift when schema.prisma gains an index the migrations lack', async () => {
    const schema = readFileSync(SCHEMA_FILE, 'utf8').replace('@@index([createdAt])', '@@index([createdAt])\n  @@index([deletedAt])');
    const changed = describeSchema(parseSchema(schema));
    expect(changed.indexes.tasks_deleted_at_idx).toBeDefined();
    expect(await migrated()).not.toEqual(changed);
  });
});
