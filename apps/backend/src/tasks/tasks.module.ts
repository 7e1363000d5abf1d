import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { TasksBulkController } from './tasks-bulk.controller.js';
import { TasksBulkService } from './tasks-bulk.service.js';
import { TasksController } from './tasks.controller.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { TaskWritesRateLimitGuard } from './task-writes-rate-limit.guard.js';

@Module({
  imports: [AuthModule, IdempotencyModule],
  controllers: [TasksController, TasksBulkController],
  providers: [TasksService, TasksBulkService, TasksRepository, TaskWritesRateLimitGuard],
  exports: [TasksService],
})
export class TasksModule {}
