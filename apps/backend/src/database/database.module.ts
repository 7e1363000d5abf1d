import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from '../metrics/metrics.js';
import { type Database, openDatabase } from './database.js';
import { DirectSql } from './direct-sql.js';
import { PrismaClient } from '../generated/prisma/client.js';

export const DATABASE = Symbol('DATABASE');

@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [AppConfig, Metrics],
      useFactory: async (config: AppConfig, metrics: Metrics): Promise<Database> => {
        const logger = new Logger('Database');
        const database = await openDatabase(config, logger, metrics);
        logger.log(
          database.kind === 'pglite'
            ? `Using embedded PGlite database at ${database.location} (set DATABASE_URL for PostgreSQL)`
            : `Using PostgreSQL at ${database.location}`,
        );
        return database;
      },
    },
    // The client of the open database, injected by its own class: repositories ask for `PrismaClient`.
    { provide: PrismaClient, inject: [DATABASE], useFactory: (database: Database) => database.prisma },
    { provide: DirectSql, inject: [DATABASE], useFactory: (database: Database) => database.sql },
  ],
  exports: [DATABASE, PrismaClient, DirectSql],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
