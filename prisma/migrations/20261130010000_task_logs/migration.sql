-- Logs become their own table: one row per entry, so an append is one INSERT whatever the task
-- already holds, and a task row stays small (logCount + lastLog instead of every entry).

-- CreateEnum
CREATE TYPE "TaskLogLevel" AS ENUM ('info', 'warn', 'error');

-- CreateTable
CREATE TABLE "task_logs" (
    "id" UUID NOT NULL,
    "task_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "level" "TaskLogLevel" NOT NULL,
    "message" VARCHAR(2000) NOT NULL,

    CONSTRAINT "task_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "task_logs_task_id_seq_key" ON "task_logs"("task_id", "seq");

-- AddForeignKey
ALTER TABLE "task_logs" ADD CONSTRAINT "task_logs_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "log_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "log_seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "last_log" JSONB;

-- Move the entries, oldest first: the n-th entry of a task gets seq n.
INSERT INTO "task_logs" ("id", "task_id", "seq", "at", "level", "message")
SELECT gen_random_uuid(), t."id", l.n::int,
       (l.e->>'at')::timestamptz, (l.e->>'level')::"TaskLogLevel", l.e->>'message'
FROM "tasks" t, jsonb_array_elements(t."logs") WITH ORDINALITY AS l(e, n)
WHERE jsonb_typeof(t."logs") = 'array';

UPDATE "tasks" t SET
  "log_count" = c.n,
  "log_seq" = c.n,
  "last_log" = jsonb_build_object(
    'id', c."id",
    'at', to_char(c."at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'level', c."level"::text,
    'message', c."message")
FROM (
  SELECT DISTINCT ON ("task_id") "task_id", "id", "at", "level", "message",
         count(*) OVER (PARTITION BY "task_id")::int AS n
  FROM "task_logs"
  ORDER BY "task_id", "seq" DESC
) c
WHERE t."id" = c."task_id";

ALTER TABLE "tasks" DROP COLUMN "logs";
