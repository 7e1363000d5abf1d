import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, type StandardSchemaConversionResult, SwaggerModule } from '@nestjs/swagger';
import { problemSchema } from '@tasks/schemas';
import { z } from 'zod';
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

/** Builds the OpenAPI 3.1 document of every route, from the Zod schemas the routes validate with. */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Tasks API')
    .setDescription(
      'User-scoped tasks with a lifecycle, logs, optimistic concurrency (ETag / If-Match) and live events. ' +
        'Every error is an RFC 9457 problem document (application/problem+json).',
    )
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
  return document;
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
