import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type Change,
  changesPageSchema,
  changesQuerySchema,
  type ChangesPage,
  type ChangesQuery,
  historyPageSchema,
  historyQuerySchema,
  type HistoryPage,
  type HistoryQuery,
  idParamSchema,
  type IdParam,
} from '@tasks/schemas';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ApiProblems } from '../common/openapi/api-problems.decorator.js';
import { ApiTaskPage } from '../common/openapi/api-task-page.decorator.js';
import { ChangesService } from './changes.service.js';

const CHANGE_EXAMPLE: Change = {
  cursor: '42.q0Zp3mW1xY8kT2nB',
  type: 'task:updated',
  taskId: '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c',
  at: '2026-11-21T10:05:00.012Z',
  task: {
    id: '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c',
    title: 'Write the quarterly report',
    description: null,
    status: 'RUNNING',
    priority: 'HIGH',
    startedAt: '2026-11-21T10:05:00.000Z',
    completedAt: null,
    failedAt: null,
    errorMessage: null,
    logCount: 0,
    lastLog: null,
    version: 2,
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:05:00.000Z',
  },
  changed: ['status', 'startedAt'],
};

/** The change feed and a task's history (under /api/tasks, so the tasks' auth, budget and problems apply). */
@ApiTags('tasks')
@ApiBearerAuth('bearer')
@ApiProblems(401, 503)
@Controller('tasks')
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Get('changes')
  @ApiOperation({ summary: 'Follow your changes: those after `since`, oldest first (without since: the current cursor)' })
  @ApiOkResponse({
    description: 'The next changes; `cursor` is the next request’s since, `hasMore` says another page is ready',
    standardSchema: changesPageSchema,
    example: { items: [CHANGE_EXAMPLE], cursor: CHANGE_EXAMPLE.cursor, hasMore: false },
  })
  @ApiProblems(400, 410)
  feed(@CurrentUser() user: AuthUser, @Query({ schema: changesQuerySchema }) query: ChangesQuery): Promise<ChangesPage> {
    return this.changes.feed(user, query);
  }

  @Get(':id/history')
  @ApiTaskPage('A task’s kept changes, newest first', historyPageSchema, { items: [CHANGE_EXAMPLE], nextCursor: null })
  history(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Query({ schema: historyQuerySchema }) query: HistoryQuery,
  ): Promise<HistoryPage> {
    return this.changes.history(user, id, query);
  }
}
