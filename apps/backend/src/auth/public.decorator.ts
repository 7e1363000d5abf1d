import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'auth:isPublic';
/** Marks a public operation in the OpenAPI document; it becomes `security: []` there (src/openapi.ts). */
export const PUBLIC_OPERATION_EXTENSION = 'x-public';

/** Opts a route out of the global JWT guard. Everything else requires a valid token. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_OPERATION_EXTENSION, true));
