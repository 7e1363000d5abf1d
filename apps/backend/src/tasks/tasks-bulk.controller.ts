import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { bulkChangeSchema, bulkResponseSchema, type BulkChangeInput, type BulkResponse } from '@tasks/schemas';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ApiProblems } from '../common/openapi/api-problems.decorator.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { Budget, type RequestBudget } from './request-budget.js';
import { TaskWritesRateLimitGuard } from './task-writes-rate-limit.guard.js';
import { TasksBulkService } from './tasks-bulk.service.js';

@ApiTags('tasks')
@ApiBearerAuth('bearer')
@ApiProblems(401, 503)
@UseGuards(TaskWritesRateLimitGuard)
@Controller('tasks')
export class TasksBulkController {
  constructor(private readonly bulk: TasksBulkService) {}

  @Post('bulk')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Change the status of, or delete, up to 100 tasks; each id on its own' })
  @ApiOkResponse({
    description: 'One result per id, in the order of ids (200 with the task, 204, or 404/409/503 with the problem)',
    standardSchema: bulkResponseSchema,
  })
  @ApiProblems(400, 429)
  apply(
    @CurrentUser() user: AuthUser,
    @Body({ schema: bulkChangeSchema }) body: BulkChangeInput,
    @Budget() budget: RequestBudget,
    @Req() request: FastifyRequest,
  ): Promise<BulkResponse> {
    return this.bulk.apply(user, body, budget, request.id);
  }
}
