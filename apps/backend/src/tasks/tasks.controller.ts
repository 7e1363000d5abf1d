import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import {
  appendLogSchema,
  createTaskSchema,
  idParamSchema,
  logEntrySchema,
  logPageQuerySchema,
  logPageSchema,
  replaceTaskSchema,
  taskFilterSchema,
  taskListSchema,
  taskSchema,
  taskStatsSchema,
  updateTaskSchema,
  type AppendLogInput,
  type CreateTaskInput,
  type IdParam,
  type LogEntry,
  type LogPage,
  type LogPageQuery,
  type ReplaceTaskInput,
  type Task,
  type TaskFilter,
  type TaskStats,
  type UpdateTaskInput,
} from '@tasks/schemas';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth-user.js';
import { ApiProblems } from '../common/openapi/api-problems.decorator.js';
import { ApiTaskPage } from '../common/openapi/api-task-page.decorator.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { etagOf, parseIfMatch } from './if-match.js';
import { ifNoneMatchHits, listEtag } from './if-none-match.js';
import { JSON_TYPE } from './task-answers.js';
import { TasksService } from './tasks.service.js';
import { Budget, type RequestBudget } from './request-budget.js';
import { TaskWritesRateLimitGuard } from './task-writes-rate-limit.guard.js';

const IF_MATCH = 'if-match';
const IF_NONE_MATCH = 'if-none-match';

const LOG_EXAMPLE: LogEntry = {
  id: '0b6e9c1d-8f2a-4d3b-9c4e-5f6a7b8c9d0e',
  at: '2026-11-21T10:06:00.000Z',
  level: 'info',
  message: 'Collected the numbers',
};
const TASK_EXAMPLE: Task = {
  id: '7f0c2a4e-5b7d-4c1e-9a3b-1d2e3f4a5b6c',
  title: 'Write the quarterly report',
  description: 'Numbers from finance, charts from marketing',
  status: 'RUNNING',
  priority: 'HIGH',
  startedAt: '2026-11-21T10:05:00.000Z',
  completedAt: null,
  failedAt: null,
  errorMessage: null,
  logCount: 1,
  lastLog: LOG_EXAMPLE,
  version: 3,
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:06:00.000Z',
};
const ETAG_HEADER = { ETag: { description: 'Current version of the task, e.g. "3"', schema: { type: 'string' as const } } };
const IF_MATCH_HEADER = {
  name: 'If-Match',
  required: false,
  description: 'Apply only if the task is at this version (its ETag, e.g. "3"; `*` = any). Stale → 412.',
};
const IF_NONE_MATCH_HEADER = {
  name: 'If-None-Match',
  required: false,
  description: 'An ETag of an earlier response (or a list of them, or `*`): 304 with no body while it is still current.',
};
const NOT_MODIFIED = ApiResponse({ status: 304, description: 'Not modified: the If-None-Match tag is current (no body)', headers: ETAG_HEADER });
const TaskOk = (description: string) =>
  ApiOkResponse({ description, standardSchema: taskSchema, example: TASK_EXAMPLE, headers: ETAG_HEADER });

function withEtag(reply: FastifyReply, task: Task): Task {
  void reply.header('etag', etagOf(task.version));
  return task;
}

/** Sends `etag`; 304 with no body (undefined) when If-None-Match names it (RFC 9110 §13.1.2). */
function unlessNotModified<T>(reply: FastifyReply, etag: string, ifNoneMatch: string | undefined, body: T): T | undefined {
  void reply.header('etag', etag);
  if (!ifNoneMatchHits(ifNoneMatch, etag)) return body;
  void reply.status(304);
  return undefined;
}

@ApiTags('tasks')
@ApiBearerAuth('bearer')
@ApiProblems(401, 503)
@UseGuards(TaskWritesRateLimitGuard)
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Create a task (status PENDING)' })
  @ApiCreatedResponse({
    description: 'Created; Location names the new task',
    standardSchema: taskSchema,
    example: { ...TASK_EXAMPLE, status: 'PENDING', startedAt: null, logCount: 0, lastLog: null, version: 1 },
    headers: { ...ETAG_HEADER, Location: { description: '/api/tasks/<id>', schema: { type: 'string' } } },
  })
  @ApiProblems(400, 403, 429)
  async create(
    @CurrentUser() user: AuthUser,
    @Body({ schema: createTaskSchema }) body: CreateTaskInput,
    @Budget() budget: RequestBudget,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Task> {
    const task = await this.tasks.create(user, body, budget);
    void reply.header('location', `/api/tasks/${task.id}`);
    return withEtag(reply, task);
  }

  @Get()
  @ApiOperation({ summary: 'List your tasks: filter, search, sort, page (by offset or cursor)' })
  @ApiHeader(IF_NONE_MATCH_HEADER)
  @ApiOkResponse({
    description:
      'One page, the total matching, nextCursor (null on the last page) and changesCursor (follow the change feed from here); ETag names this response',
    standardSchema: taskListSchema,
    example: { items: [TASK_EXAMPLE], total: 1, limit: 20, offset: 0, nextCursor: null, changesCursor: '42.q0Zp3mW1xY8kT2nB' },
    headers: { ETag: { description: 'Tag of this page', schema: { type: 'string' as const } } },
  })
  @NOT_MODIFIED
  @ApiProblems(400, 410)
  async list(
    @CurrentUser() user: AuthUser,
    @Query({ schema: taskFilterSchema }) query: TaskFilter,
    @Headers(IF_NONE_MATCH) ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | undefined> {
    // Serialised once, here: the ETag hashes the very text sent (Fastify sends a string as it is).
    const body = JSON.stringify(await this.tasks.list(user, query));
    const page = unlessNotModified(reply, listEtag(body), ifNoneMatch, body);
    if (page !== undefined) void reply.type(JSON_TYPE);
    return page;
  }

  @Get('stats')
  @ApiOperation({ summary: 'Count your tasks: in total, per status and per priority' })
  @ApiOkResponse({
    description: 'Counts over your live tasks',
    standardSchema: taskStatsSchema,
    example: {
      total: 3,
      byStatus: { PENDING: 1, RUNNING: 1, COMPLETED: 1, FAILED: 0, CANCELLED: 0 },
      byPriority: { LOW: 0, MEDIUM: 2, HIGH: 1, URGENT: 0 },
    },
  })
  stats(@CurrentUser() user: AuthUser): Promise<TaskStats> {
    return this.tasks.stats(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one task' })
  @ApiHeader(IF_NONE_MATCH_HEADER)
  @TaskOk('The task; ETag is its version')
  @NOT_MODIFIED
  @ApiProblems(400, 404)
  async get(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Headers(IF_NONE_MATCH) ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Task | undefined> {
    const task = await this.tasks.get(user, id);
    return unlessNotModified(reply, etagOf(task.version), ifNoneMatch, task);
  }

  @Patch(':id')
  @Idempotent()
  @ApiOperation({ summary: 'Change some fields and/or the status (lifecycle rules apply)' })
  @ApiHeader(IF_MATCH_HEADER)
  @TaskOk('The updated task (unchanged, same version, when nothing changed)')
  @ApiProblems(400, 404, 409, 412, 429)
  async update(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Body({ schema: updateTaskSchema }) body: UpdateTaskInput,
    @Headers(IF_MATCH) ifMatch: string | undefined,
    @Budget() budget: RequestBudget,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Task> {
    return withEtag(reply, await this.tasks.update(user, id, body, parseIfMatch(ifMatch), budget));
  }

  @Put(':id')
  @Idempotent()
  @ApiOperation({ summary: 'Replace title, description, priority and status' })
  @ApiHeader(IF_MATCH_HEADER)
  @TaskOk('The updated task')
  @ApiProblems(400, 404, 409, 412, 429)
  async replace(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Body({ schema: replaceTaskSchema }) body: ReplaceTaskInput,
    @Headers(IF_MATCH) ifMatch: string | undefined,
    @Budget() budget: RequestBudget,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Task> {
    return withEtag(reply, await this.tasks.replace(user, id, body, parseIfMatch(ifMatch), budget));
  }

  @Patch(':id/complete')
  @Idempotent()
  @ApiOperation({ summary: 'Toggle COMPLETED ⇄ PENDING' })
  @ApiHeader(IF_MATCH_HEADER)
  @TaskOk('The toggled task')
  @ApiProblems(400, 404, 409, 412, 429)
  async complete(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Headers(IF_MATCH) ifMatch: string | undefined,
    @Budget() budget: RequestBudget,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Task> {
    return withEtag(reply, await this.tasks.toggleComplete(user, id, parseIfMatch(ifMatch), budget));
  }

  @Post(':id/logs')
  @Idempotent()
  @ApiOperation({ summary: 'Append a log entry (the newest TASKS_LOG_LIMIT, default 200, are kept)' })
  @ApiCreatedResponse({
    description: 'The new entry; ETag is the task’s new version',
    standardSchema: logEntrySchema,
    example: LOG_EXAMPLE,
    headers: ETAG_HEADER,
  })
  @ApiProblems(400, 404, 429)
  async appendLog(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Body({ schema: appendLogSchema }) body: AppendLogInput,
    @Budget() budget: RequestBudget,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LogEntry> {
    const { entry, task } = await this.tasks.appendLog(user, id, body, budget);
    void reply.header('etag', etagOf(task.version));
    return entry;
  }

  @Get(':id/logs')
  @ApiTaskPage('Page through a task’s log entries, newest first', logPageSchema, { items: [LOG_EXAMPLE], nextCursor: null })
  listLogs(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Query({ schema: logPageQuerySchema }) query: LogPageQuery,
  ): Promise<LogPage> {
    return this.tasks.listLogs(user, id, query);
  }

  @Delete(':id')
  @Idempotent()
  @ApiOperation({ summary: 'Delete a task (soft delete; it disappears from every read)' })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 404, 412, 429)
  @HttpCode(204)
  remove(
    @CurrentUser() user: AuthUser,
    @Param({ schema: idParamSchema }) { id }: IdParam,
    @Headers(IF_MATCH) ifMatch: string | undefined,
    @Budget() budget: RequestBudget,
  ): Promise<void> {
    return this.tasks.remove(user, id, parseIfMatch(ifMatch), budget);
  }
}
