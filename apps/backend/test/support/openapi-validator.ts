import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { call } from './http-client.js';

type Json = Record<string, unknown>;
interface Response {
  $ref?: string;
  content?: Record<string, { schema?: Json }>;
}
interface Operation {
  responses?: Record<string, Response>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json>; responses?: Record<string, Response> };
}

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** Validates response bodies against the served OpenAPI 3.1 document's response schemas. */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, (data: unknown) => boolean>();

  constructor(readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    // Components are referenced as #/components/schemas/X: register the document under an id.
    this.ajv.addSchema({ $id: 'openapi.json', components: document.components ?? {} });
  }

  static async fetch(baseUrl: string): Promise<OpenApiValidator> {
    const response = await call(baseUrl, 'GET', '/api/openapi.json');
    if (response.status !== 200) throw new Error(`openapi.json answered ${response.status}`);
    return new OpenApiValidator(response.body as OpenApiDocument);
  }

  /** `/api/tasks/{id}` for `/api/tasks/0e5…`; undefined when no documented path matches. */
  matchPath(method: string, path: string): string | undefined {
    const bare = path.split('?')[0]!;
    for (const [template, operations] of Object.entries(this.document.paths)) {
      if (!operations[method.toLowerCase()]) continue;
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (pattern.test(bare)) return template;
    }
    return undefined;
  }

  /** Error text when `body` does not match the documented response, undefined when it does. */
  check(method: string, path: string, status: number, body: unknown): string | undefined {
    const template = this.matchPath(method, path);
    if (!template) return `${method} ${path} is not in the OpenAPI document`;
    const responses = this.document.paths[template]![method.toLowerCase()]!.responses ?? {};
    const declared = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    // Shared problem responses are references to components.responses.
    const response = declared?.$ref ? this.document.components?.responses?.[declared.$ref.split('/').pop()!] : declared;
    if (!response) return `${method} ${template} does not document status ${status}`;
    const content = response.content;
    if (!content) return body === undefined || body === '' ? undefined : `${method} ${template} ${status} documents no body`;
    const schema = (content['application/json'] ?? content['application/problem+json'] ?? Object.values(content)[0])?.schema;
    if (!schema) return undefined;
    const key = `${method} ${template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) as Json;
      const fn = this.ajv.compile(rewritten);
      validate = (data) => fn(data);
      this.compiled.set(key, validate);
    }
    return validate(body) ? undefined : `${key}: ${this.ajv.errorsText((validate as unknown as { errors?: unknown }).errors as never)}`;
  }
}
