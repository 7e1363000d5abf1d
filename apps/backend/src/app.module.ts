import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { validationErrorFromIssues } from './common/errors/standard-schema-issues.js';
import { ProblemFilter } from './common/filters/problem.filter.js';
import { StrictSchemaValidationPipe } from './common/pipes/strict-schema-validation.pipe.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DomainEventsModule } from './common/events/domain-events.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { ProblemsModule } from './problems/problems.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { AuthModule } from './auth/auth.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { RedisModule } from './redis/redis.module.js';
import { ChangesModule } from './changes/changes.module.js';
import { TasksModule } from './tasks/tasks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), MetricsModule.forRoot(config), DomainEventsModule, DatabaseModule, RedisModule, AuthModule,
        HealthModule, ProblemsModule,
        // TASKS_API_ENABLED=false: the routes and the live events do not exist at all (404, no `/tasks` namespace).
        ...(config.tasks.enabled ? [TasksModule, ChangesModule, RealtimeModule] : [])],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        {
          provide: APP_PIPE,
          useValue: new StrictSchemaValidationPipe({
            exceptionFactory: (issues) => validationErrorFromIssues(issues),
          }),
        },
      ],
    };
  }
}
