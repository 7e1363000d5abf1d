import type { Change, ChangesPage } from '@tasks/schemas';
import { expect } from 'vitest';
import { call } from '../support/http-client.js';

/** The user's feed position now (GET /api/tasks/changes without since). */
export async function headCursor(baseUrl: string, token: string): Promise<string> {
  const res = await call(baseUrl, 'GET', '/api/tasks/changes', { token });
  expect(res.status).toBe(200);
  return (res.body as ChangesPage).cursor;
}

/** Every change after `since`, read through the HTTP feed page by page. */
export async function feedAfter(baseUrl: string, token: string, since: string): Promise<Change[]> {
  const items: Change[] = [];
  let cursor = since;
  for (;;) {
    const res = await call(baseUrl, 'GET', `/api/tasks/changes?since=${encodeURIComponent(cursor)}&limit=1000`, { token });
    expect(res.status).toBe(200);
    const page = res.body as ChangesPage;
    items.push(...page.items);
    cursor = page.cursor;
    if (!page.hasMore) return items;
  }
}

/** A change as the socket delivers it: the event, its payload and its second argument. */
export function asEvent(change: Change) {
  return {
    event: change.type,
    payload: change.task ?? { id: change.taskId },
    meta: { cursor: change.cursor, at: change.at },
  };
}
