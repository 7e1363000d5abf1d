-- Full text search over title (weight A) and description (weight B), and the list's sort indexes
-- restricted to live rows (every list query has `deleted_at IS NULL`).

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, COALESCE("title", '')), 'A')
  || setweight(to_tsvector('simple'::regconfig, COALESCE("description", '')), 'B')
) STORED;

-- CreateIndex
CREATE INDEX "tasks_search_vector_idx" ON "tasks" USING GIN ("search_vector");

-- Partial sort indexes (same names and columns, live rows only)
DROP INDEX "tasks_user_id_created_at_id_idx";
CREATE INDEX "tasks_user_id_created_at_id_idx" ON "tasks"("user_id", "created_at", "id") WHERE "deleted_at" IS NULL;
DROP INDEX "tasks_user_id_updated_at_id_idx";
CREATE INDEX "tasks_user_id_updated_at_id_idx" ON "tasks"("user_id", "updated_at", "id") WHERE "deleted_at" IS NULL;
DROP INDEX "tasks_user_id_priority_id_idx";
CREATE INDEX "tasks_user_id_priority_id_idx" ON "tasks"("user_id", "priority", "id") WHERE "deleted_at" IS NULL;
