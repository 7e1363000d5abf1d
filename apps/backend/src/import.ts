// `DATABASE_URL=… pnpm db:import <file>`: loads a `pnpm db:export` dump into an empty PostgreSQL database.
import { Logger } from '@nestjs/common';
import { loadToolConfig, userPath } from './config/tool-config.js';
import { importDump } from './database/postgres-import.js';

const logger = new Logger('Import');
try {
  const config = loadToolConfig();
  const arg = process.argv[2];
  if (!config.databaseUrl) throw new Error('Set DATABASE_URL to the empty PostgreSQL database to import into.');
  if (!arg) throw new Error('Name the dump to import: DATABASE_URL=… pnpm db:import <file> (made by pnpm db:export).');
  const file = userPath(arg);
  const { rows, applied } = await importDump(config.databaseUrl, file, logger);
  const counts = Object.entries(rows).map(([table, n]) => `${table} ${n}`).join(', ');
  logger.log(`Imported ${file}: ${counts}${applied.length > 0 ? `; then applied ${applied.join(', ')}` : ''}`);
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
