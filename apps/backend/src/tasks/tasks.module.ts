import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { TokenRevocationListener } from '../auth/token-revocation.listener.js';
import { TaskEventsPublisher } from './task-events.publisher.js';
import { TasksGateway } from './tasks.gateway.js';
import { TasksController } from './tasks.controller.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { TaskWritesRateLimitGuard } from './task-writes-rate-limit.guard.js';

@Module({
  imports: [AuthModule],
  controllers: [TasksController],
  providers: [
    TasksService,
    TasksRepository,
    TaskWritesRateLimitGuard,
    // The gateway delivers what the service publishes, and drops the sockets of a revoked token.
    TasksGateway,
    { provide: TaskEventsPublisher, useExisting: TasksGateway },
    { provide: TokenRevocationListener, useExisting: TasksGateway },
  ],
  exports: [TasksService],
})
export class TasksModule {}
