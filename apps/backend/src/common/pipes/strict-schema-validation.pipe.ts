import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { ProblemFieldError } from '@tasks/schemas';
import { RequestValidationError } from '../errors/domain-error.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

function forbiddenKeyPaths(value: unknown, path: string[] = [], found: ProblemFieldError[] = []): ProblemFieldError[] {
  if (value === null || typeof value !== 'object' || path.length > MAX_DEPTH || found.length >= 20) return found;
  for (const key of Object.keys(value)) {
    const at = [...path, key];
    if (FORBIDDEN_KEYS.has(key)) {
      found.push({ path: at.join('.'), message: `"${key}" is not allowed as a field name` });
    } else {
      forbiddenKeyPaths((value as Record<string, unknown>)[key], at, found);
    }
  }
  return found;
}

/**
 * Nest's pipe silently strips `__proto__` / `constructor` keys before validating, so a request
 * carrying them would pass as if they were never sent. The contract wants every unknown field
 * refused, these most of all: reject them with a 400 naming each one.
 */
export class StrictSchemaValidationPipe extends StandardSchemaValidationPipe {
  protected override stripProtoKeys(value: unknown): void {
    const found = forbiddenKeyPaths(value);
    if (found.length > 0) throw new RequestValidationError(found);
  }
}
