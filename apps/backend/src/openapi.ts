import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, type StandardSchemaConversionResult, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_KINDS, problemKinds, problemSchema, problemType } from '@tasks/schemas';
import { z } from 'zod';
import { completeDocument } from './common/openapi/complete-document.js';
import type { AppConfig } from './config/app-config.js';

export const OPENAPI_JSON_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

type JsonSchema = Record<string, unknown> & { $defs?: Record<string, unknown> };

/** Zod → JSON Schema 2020-12 (what OpenAPI 3.1 uses); schemas with a meta id become components. */
function zodToOpenApi(schema: unknown, io: 'input' | 'output'): StandardSchemaConversionResult | undefined {
  if (!(schema instanceof z.ZodType)) return undefined;
  const json = JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }));
  const { $defs, $schema: _dialect, ...rest } = JSON.parse(
    json.replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as JsonSchema;
  return { schema: rest, components: $defs ?? {} };
}

const TAGS: Record<string, string> = {
  auth: 'Accounts and access tokens: register, log in, who am I, log out.',
  tasks: 'The signed-in user’s tasks, their lifecycle and their logs.',
  health: 'Liveness and readiness probes for orchestrators and load balancers.',
  problems: 'What each problem type (`/api/problems/<kind>`) means.',
  docs: 'This document and the interactive docs.',
};

const DESCRIPTION =
  'User-scoped tasks with a lifecycle, logs, optimistic concurrency (ETag / If-Match) and live events.\n\n' +
  'Every error is an RFC 9457 problem document (`application/problem+json`) whose `type` is ' +
  '`/api/problems/<kind>` (described at `GET /api/problems/<kind>`), or `about:blank` for a plain HTTP outcome. ' +
  'A known path asked with a method it does not serve answers 405 `method-not-allowed` with `Allow`. ' +
  'Every response carries `X-Request-Id`.\n\nProblem kinds:\n\n' +
  problemKinds.map((kind) => `- \`${problemType(kind)}\` (${PROBLEM_KINDS[kind].status}): ${PROBLEM_KINDS[kind].description}`).join('\n');

/** The routes SwaggerModule serves itself, public like the rest of the service routes. */
const DOCS_PATHS = {
  [OPENAPI_JSON_PATH]: {
    get: {
      tags: ['docs'],
      summary: 'This OpenAPI 3.1 document',
      operationId: 'Docs_openapi',
      security: [],
      responses: { 200: { description: 'The document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  },
  [DOCS_PATH]: {
    get: {
      tags: ['docs'],
      summary: 'Interactive API docs (Swagger UI)',
      operationId: 'Docs_ui',
      security: [],
      responses: { 200: { description: 'The docs page', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
};

/** Builds the OpenAPI 3.1 document of every route, from the Zod schemas the routes validate with. */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Tasks API')
    .setDescription(
DESCRIPTION)
    .addServer('/', 'This server')
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, info, {
    standardSchemaConverter: (schema, { schemaType }) => zodToOpenApi(schema, schemaType),
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  // Problem responses reference this component (see ApiProblems).
  const problem = zodToOpenApi(problemSchema, 'output')!;
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...problem.components } };
  document.paths = { ...document.paths, ...DOCS_PATHS };
  return completeDocument(document, TAGS);
}

/** Serves the document at /api/openapi.json and the interactive docs at /api/docs (API_DOCS_ENABLED). */
export function setupOpenApi(app: NestFastifyApplication, config: AppConfig): void {
  if (!config.docsEnabled) return;
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), {
    useGlobalPrefix: false,
    jsonDocumentUrl: 'api/openapi.json',
    raw: ['json'],
    customSiteTitle: 'Tasks API docs',
  });
}
