// Runs `prisma generate` offline. Prisma 7's CLI wants a native schema engine on every command and
// downloads one when it is missing; generation never uses it, so any existing file satisfies it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(fileURLToPath(import.meta.url), '../../../..');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

const result = spawnSync(
  'pnpm',
  ['exec', 'prisma', 'generate', '--config', path.join(root, 'prisma/prisma.config.ts')],
  { stdio: 'inherit', env, cwd: path.join(root, 'apps/backend') },
);
process.exit(result.status ?? 1);
