import { Injectable } from '@nestjs/common';
import type { BulkChangeInput, BulkResponse, BulkResult } from '@tasks/schemas';
import type { AuthUser } from '../auth/auth-user.js';
import { DomainError, RequestTimeoutError, ServiceUnavailableError } from '../common/errors/domain-error.js';
import { toProblem } from '../common/filters/to-problem.js';
import type { RequestBudget } from './request-budget.js';
import { PAGE_ITEMS_BYTES_MAX, taskBytesBound } from './response-size.js';
import { TasksService } from './tasks.service.js';

const NO_IF_MATCH = { kind: 'none' } as const;
/** Per-id outcomes that are results, not failures of the whole request. */
const ITEM_STATUSES = new Set([404, 409]);

/**
 * `POST /api/tasks/bulk`: each id goes through the single route's service method (its own
 * transaction, rules, change and event), one after another, in the order given.
 */
@Injectable()
export class TasksBulkService {
  constructor(private readonly tasks: TasksService) {}

  async apply(user: AuthUser, input: BulkChangeInput, budget: RequestBudget, requestId: string): Promise<BulkResponse> {
    const results: BulkResult[] = [];
    let bytes = 0;
    for (const id of input.ids) {
      const result = await this.one(user, id, input, budget, requestId);
      if (result.task) {
        // No answer over 1 MiB: past it, results say 200 without the task (GET it instead).
        bytes += taskBytesBound(result.task);
        if (bytes > PAGE_ITEMS_BYTES_MAX) delete result.task;
      }
      results.push(result);
    }
    return { results };
  }

  private async one(user: AuthUser, id: string, input: BulkChangeInput, budget: RequestBudget, requestId: string): Promise<BulkResult> {
    const method = input.delete ? 'DELETE' : 'PATCH';
    try {
      if (input.delete) {
        await this.tasks.remove(user, id, NO_IF_MATCH, budget);
        return { id, status: 204 };
      }
      const change = { status: input.status, ...(input.errorMessage === undefined ? {} : { errorMessage: input.errorMessage }) };
      return { id, status: 200, task: await this.tasks.update(user, id, change, NO_IF_MATCH, budget) };
    } catch (error) {
      // Once an earlier id committed, the deadline no longer answers 503 for the whole request:
      // ids left when it passes are reported as not done.
      const itemFailure =
        error instanceof RequestTimeoutError || error instanceof ServiceUnavailableError || (error instanceof DomainError && ITEM_STATUSES.has(error.status));
      if (!itemFailure) throw error;
      const { body } = toProblem(error, { id: requestId, url: `/api/tasks/${id}`, method });
      return { id, status: body.status as BulkResult['status'], problem: body };
    }
  }
}
