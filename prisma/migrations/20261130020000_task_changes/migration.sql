-- The change feed: one row per committed write of a user's tasks, numbered per user in commit order
-- (users.change_seq is taken under the user's row lock as each write's last statement).

-- CreateEnum
CREATE TYPE "TaskChangeType" AS ENUM ('task:created', 'task:updated', 'task:deleted');

-- AlterTable
ALTER TABLE "users" ADD COLUMN "change_seq" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "task_changes" (
    "user_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "task_id" UUID NOT NULL,
    "type" "TaskChangeType" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL,
    "changed" TEXT[] NOT NULL,
    "task" JSONB,

    CONSTRAINT "task_changes_pkey" PRIMARY KEY ("user_id","seq")
);

-- CreateIndex
CREATE INDEX "task_changes_user_id_task_id_seq_idx" ON "task_changes"("user_id", "task_id", "seq");

-- CreateIndex
CREATE INDEX "task_changes_at_idx" ON "task_changes"("at");

-- AddForeignKey
ALTER TABLE "task_changes" ADD CONSTRAINT "task_changes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
