/**
 * Every audit event: its stable name, its fields and its level. To add one, add it to AuditEvents
 * and to AUDIT_LEVELS (the compiler then requires both). Fields never hold an email in clear, a
 * password, a hash or a token: an account is its `userId`, an unknown email its `emailHash`.
 */
export interface AuditEvents {
  'auth.register': { outcome: 'ok' | 'email_taken' | 'rate_limited'; userId?: string; emailHash: string };
  'auth.login.succeeded': { userId: string };
  'auth.login.failed': { reason: 'wrong_password' | 'unknown_email' | 'rate_limited'; userId?: string; emailHash?: string };
  'auth.rate_limited': { limiter: RateLimiterName; keyKind: 'address' | 'address_email'; retryAfterSeconds: number };
  'auth.logout': { userId: string; jti: string };
  'auth.token.refused': { cause: string };
  'socket.refused': { cause: string; userId?: string };
  'task.created': { userId: string; taskId: string };
  'task.updated': { userId: string; taskId: string; changed: readonly string[] };
  'task.deleted': { userId: string; taskId: string };
  'tasks.quota_exceeded': { userId: string; max: number };
  'tasks.rate_limited': { userId: string; retryAfterSeconds: number };
}

export type AuditEventName = keyof AuditEvents;
export type AuditLevel = 'info' | 'warn';
export type RateLimiterName = 'login' | 'login_address' | 'register';

export const AUDIT_LEVELS: { readonly [E in AuditEventName]: AuditLevel } = {
  'auth.register': 'info',
  'auth.login.succeeded': 'info',
  'auth.login.failed': 'warn',
  'auth.rate_limited': 'warn',
  'auth.logout': 'info',
  'auth.token.refused': 'warn',
  'socket.refused': 'warn',
  'task.created': 'info',
  'task.updated': 'info',
  'task.deleted': 'info',
  'tasks.quota_exceeded': 'warn',
  'tasks.rate_limited': 'warn',
};

/** Where the event came from, when a request caused it: correlates with the request log line. */
export interface AuditContext {
  reqId?: string;
  ip?: string;
}
