// `pnpm db:migrate`: applies pending migrations to the configured database and exits.
import { Logger } from '@nestjs/common';
import { ConfigError } from './config/app-config.js';
import { loadToolConfig } from './config/tool-config.js';
import { openDatabase } from './database/database.js';

const logger = new Logger('Migrate');
try {
  const database = await openDatabase(loadToolConfig(), logger);
  logger.log(`Database at ${database.location} is up to date`);
  await database.close();
} catch (error) {
  logger.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
