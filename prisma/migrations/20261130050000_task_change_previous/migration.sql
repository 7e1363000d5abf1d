-- What a task:updated replaced: the previous values of the fields it changed and the previous
-- updatedAt. A list walk pinned to a feed position reads a task's state at that position from them.

-- AlterTable
ALTER TABLE "task_changes" ADD COLUMN "previous" JSONB;
