import { ApiError, ContractDriftError } from './api/contract-client.js';

/** One sentence a person can act on, for any error a client call can throw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return 'Too many attempts. Please wait a moment and try again.';
    return error.detail || error.title;
  }
  if (error instanceof ContractDriftError) return 'The server sent a response this page does not understand. Please reload.';
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'The server did not answer in time. Please try again.';
  return 'Cannot reach the server. Check your connection and try again.';
}

export interface FormErrors {
  /** Messages keyed by field name, shown next to the field. */
  fields: Record<string, string>;
  /** A message for the whole form, when the error is not about one field. */
  message?: string;
}

/** Splits an error into field messages (for the fields the form has) and one form-level message. */
export function formErrorsOf(error: unknown, fields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError) || error.errors.length === 0) return { fields: {}, message: messageOf(error) };
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const { path, message } of error.errors) {
    if (fields.includes(path)) byField[path] ??= message;
    else other.push(path === '' ? message : `${path}: ${message}`);
  }
  return other.length > 0 ? { fields: byField, message: other.join(' ') } : { fields: byField };
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
