import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  isProblemKind,
  PROBLEM_KINDS,
  problemKindDescriptionSchema,
  problemKindSchema,
  problemType,
  type ProblemKindDescription,
} from '@tasks/schemas';
import { z } from 'zod';
import { Public } from '../auth/public.decorator.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiProblems } from '../common/openapi/api-problems.decorator.js';

/** Any string is looked up; only the listed kinds exist (others: 404 not-found). */
const kindParamSchema = z.strictObject({ kind: z.union([problemKindSchema, z.string().min(1).max(100)]) });

export class ProblemKindNotFoundError extends DomainError {
  constructor() {
    super('not-found', 'No problem type of this kind exists; see the ProblemKind schema in /api/openapi.json.');
  }
}

/** The human description a problem's `type` URI points to (RFC 9457 §3.1.1). */
@Public()
@ApiTags('problems')
@Controller('problems')
export class ProblemsController {
  @Get(':kind')
  @ApiOperation({
    summary: 'Describe a problem type',
    description: 'What a problem of type `/api/problems/{kind}` means: its status, title and a short description.',
  })
  @ApiOkResponse({
    description: 'The kind’s description',
    standardSchema: problemKindDescriptionSchema,
    example: { kind: 'not-found', type: '/api/problems/not-found', ...PROBLEM_KINDS['not-found'] },
  })
  @ApiProblems(400, 404)
  @Header('cache-control', 'public, max-age=86400')
  describe(@Param({ schema: kindParamSchema }) { kind }: { kind: string }): ProblemKindDescription {
    if (!isProblemKind(kind)) throw new ProblemKindNotFoundError();
    return { kind, type: problemType(kind), ...PROBLEM_KINDS[kind] };
  }
}
