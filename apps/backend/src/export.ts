// `pnpm db:export [file]`: writes the embedded database (DATA_DIR) to a plain SQL dump and exits.
import { Logger } from '@nestjs/common';
import { loadToolConfig, userPath } from './config/tool-config.js';
import { defaultExportName, exportEmbedded } from './database/embedded-export.js';

const logger = new Logger('Export');
try {
  const config = loadToolConfig();
  if (config.databaseUrl) {
    throw new Error('pnpm db:export dumps the embedded database in DATA_DIR; with DATABASE_URL set, back PostgreSQL up with pg_dump.');
  }
  const file = userPath(process.argv[2] ?? defaultExportName());
  const { bytes } = await exportEmbedded(config.dataDir, file);
  logger.log(`Wrote ${file} (${bytes} bytes) from ${config.dataDir}`);
  logger.log(
    `Load it into an empty PostgreSQL database with DATABASE_URL=… pnpm db:import ${file}; tokens stay valid ` +
      `when the new server signs with the same JWT secret (its JWT_SECRET, or ${config.dataDir}/jwt-secret if it generated one).`,
  );
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
