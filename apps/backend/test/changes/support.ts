import { changesPageSchema, type Change, type ChangesPage } from '@tasks/schemas';
import { expect } from 'vitest';
import type { TestUser } from '../support/factories.js';
import type { TestApp } from '../support/test-app.js';
import { api } from '../tasks/helpers.js';

/** A stored change as the tests compare them (seq as a number). */
export interface StoredChange {
  seq: number;
  taskId: string;
  type: string;
  version: number;
  changed: string[];
  task: unknown;
}

/** Every change row of `user`, in seq order, read directly from the database. */
export async function storedChanges(t: TestApp, user: { id: string }): Promise<StoredChange[]> {
  const rows = await t.prisma.taskChange.findMany({ where: { userId: user.id }, orderBy: { seq: 'asc' } });
  return rows.map((row) => ({
    seq: Number(row.seq),
    taskId: row.taskId,
    type: row.type === 'created' ? 'task:created' : row.type === 'updated' ? 'task:updated' : 'task:deleted',
    version: row.version,
    changed: row.changed,
    task: row.task,
  }));
}

export async function feedPage(t: TestApp, user: TestUser, query = ''): Promise<ChangesPage> {
  const res = await api<ChangesPage>(t, user, 'GET', `/api/tasks/changes${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return changesPageSchema.parse(res.body);
}

/** Every change after `since`, following the feed page by page with `limit`. */
export async function follow(t: TestApp, user: TestUser, since: string, limit = 100): Promise<{ items: Change[]; cursor: string }> {
  const items: Change[] = [];
  let cursor = since;
  for (;;) {
    const page = await feedPage(t, user, `?since=${encodeURIComponent(cursor)}&limit=${limit}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.cursor;
    if (!page.hasMore) return { items, cursor };
  }
}

/** The current feed position (no `since`). */
export async function currentCursor(t: TestApp, user: TestUser): Promise<string> {
  const page = await feedPage(t, user);
  expect(page.items).toEqual([]);
  expect(page.hasMore).toBe(false);
  return page.cursor;
}
