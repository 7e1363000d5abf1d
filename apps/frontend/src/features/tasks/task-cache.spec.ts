import type { LogEntry, LogPage, Task } from '@tasks/schemas';
import { sampleTask } from '@tasks/schemas/testing';
import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { loadedEntries, logsReceived, newer, taskChanged, taskKeys, type Filter, type ListPage } from './task-cache.js';

const ID = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const AT = '2026-11-30T12:00:00.000Z';

const task = (overrides: Partial<Task> = {}): Task => sampleTask({ id: ID, title: 'Write tests', createdAt: AT, updatedAt: AT, ...overrides });

const entry = (n: number): LogEntry => ({ id: `00000000-0000-4000-8000-1000000000${String(n).padStart(2, '0')}`, at: AT, level: 'info', message: `entry ${n}` });
const filter: Filter = { status: '', priority: '', sort: '-createdAt', offset: 0, q: '' };
const listOf = (...items: Task[]): ListPage => ({ items, total: items.length, limit: 10, offset: 0, nextCursor: null, changesCursor: '0.AAAAAAAAAAAAAAAA' });

describe('newer', () => {
  it('should keep the copy with the higher version of the same task', () => {
    expect(newer(task({ version: 3, title: 'kept' }), task({ version: 2 })).title).toBe('kept');
    expect(newer(task({ version: 2 }), task({ version: 3, title: 'taken' })).title).toBe('taken');
    expect(newer(undefined, task({ title: 'taken' })).title).toBe('taken');
    expect(newer(task({ version: 9 }), task({ id: OTHER, title: 'other task' })).title).toBe('other task');
  });
});

describe('taskChanged', () => {
  it('should update the open copy and every cached list row, never with an older copy, and mark lists stale', () => {
    const client = new QueryClient();
    client.setQueryData(taskKeys.detail(ID), task({ version: 2 }));
    client.setQueryData(taskKeys.list(filter), listOf(task({ version: 2 }), task({ id: OTHER })));
    client.setQueryData(taskKeys.list({ ...filter, status: 'RUNNING' }), listOf(task({ version: 4, title: 'newest' })));

    taskChanged(client, task({ version: 3, title: 'renamed' }));

    expect(client.getQueryData<Task>(taskKeys.detail(ID))?.title).toBe('renamed');
    expect(client.getQueryData<ListPage>(taskKeys.list(filter))?.items.map((t) => t.title)).toEqual(['renamed', 'Write tests']);
    expect(client.getQueryData<ListPage>(taskKeys.list({ ...filter, status: 'RUNNING' }))?.items[0]?.title).toBe('newest');
    expect(client.getQueryState(taskKeys.list(filter))?.isInvalidated).toBe(true);
  });

  it('should not create an open copy for a task that is not open', () => {
    const client = new QueryClient();
    taskChanged(client, task());
    expect(client.getQueryData(taskKeys.detail(ID))).toBeUndefined();
  });
});

describe('logsReceived and loadedEntries', () => {
  const logs = (...pages: LogPage[]): InfiniteData<LogPage, string | null> => ({ pages, pageParams: pages.map((_, i) => (i === 0 ? null : `c${i}`)) });

  it('should put new entries on top of the first page, each once, keeping the paging', () => {
    const client = new QueryClient();
    client.setQueryData(taskKeys.logs(ID), logs({ items: [entry(3), entry(2)], nextCursor: 'c1' }, { items: [entry(1)], nextCursor: null }));

    logsReceived(client, ID, [entry(5), entry(4), entry(3)]);

    const data = client.getQueryData<InfiniteData<LogPage, string | null>>(taskKeys.logs(ID));
    expect(data?.pages[0]?.nextCursor).toBe('c1');
    expect(loadedEntries(data).map((e) => e.message)).toEqual(['entry 5', 'entry 4', 'entry 3', 'entry 2', 'entry 1']);
  });

  it('should keep no more entries on the first page than the task has', () => {
    const client = new QueryClient();
    client.setQueryData(taskKeys.logs(ID), logs({ items: [entry(2), entry(1)], nextCursor: null }));
    logsReceived(client, ID, [entry(3)], 2);
    expect(loadedEntries(client.getQueryData(taskKeys.logs(ID))).map((e) => e.message)).toEqual(['entry 3', 'entry 2']);
  });

  it('should leave a log that was never read alone', () => {
    const client = new QueryClient();
    logsReceived(client, ID, [entry(1)]);
    expect(client.getQueryData(taskKeys.logs(ID))).toBeUndefined();
  });

  it('should list an entry found on two pages (read at different times) once', () => {
    expect(loadedEntries(logs({ items: [entry(2), entry(1)], nextCursor: 'c1' }, { items: [entry(1), entry(0)], nextCursor: null })).map((e) => e.message)).toEqual([
      'entry 2',
      'entry 1',
      'entry 0',
    ]);
  });
});
