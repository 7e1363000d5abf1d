// Prisma CLI configuration. Run the CLI from the repository root with `--config prisma/prisma.config.ts`.
// The backend applies migrations itself (apps/backend/src/database/migrator.ts), so `prisma migrate
// deploy` is optional; both record into _prisma_migrations the same way.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tasks' },
});
