import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { TasksController } from './tasks.controller.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { TaskWritesRateLimitGuard } from './task-writes-rate-limit.guard.js';

@Module({
  imports: [AuthModule, IdempotencyModule],
  controllers: [TasksController],
  providers: [TasksService, TasksRepository, TaskWritesRateLimitGuard],
  exports: [TasksService],
})
export class TasksModule {}
