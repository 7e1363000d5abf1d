import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isProblemKind, PROBLEM_KINDS, problemKinds } from '@tasks/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every `class X extends DomainError` in src, found by reading the sources (so a new one cannot hide). */
function domainErrorClasses(): { file: string; name: string }[] {
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/class (\w+) extends DomainError\b/g)].map((match) => ({ file, name: match[1]! })),
  );
}

describe('every DomainError has one of the listed problem kinds', () => {
  const classes = domainErrorClasses();

  it('finds the domain errors', () => {
    expect(classes.length).toBeGreaterThanOrEqual(15);
  });

  it.each(classes.map(({ file, name }) => [name, relative(SRC, file), file] as const))('%s (%s)', async (name, _where, file) => {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const constructor = module[name] as (new (...args: unknown[]) => DomainError) | undefined;
    expect(constructor, `${name} must be exported so this test can check it`).toBeTypeOf('function');
    // The constructors only format their detail: placeholder arguments are enough to read the type.
    const error = new constructor!(1, 'x', {}, {});
    expect(error).toBeInstanceOf(DomainError);
    expect(isProblemKind(error.kind)).toBe(true);
    expect(error.type).toBe(`/api/problems/${error.kind}`);
    expect(PROBLEM_KINDS[error.kind].status).toBe(error.status);
    expect(PROBLEM_KINDS[error.kind].title).toBe(error.title);
  });
});

describe('GET /api/problems/:kind', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers every kind, without a token', async () => {
    for (const kind of problemKinds) {
      const response = await fetch(`${t.url}/api/problems/${kind}`);
      expect(response.status, kind).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ kind, type: `/api/problems/${kind}`, ...PROBLEM_KINDS[kind] });
    }
  });

  it.each(['no-such-kind', 'Not-Found', 'about:blank', '__proto__', 'constructor', 'x'.repeat(101)])('unknown kind %s → 404 not-found problem', async (kind) => {
    const response = await fetch(`${t.url}/api/problems/${encodeURIComponent(kind)}`);
    expect(response.status === 404 || response.status === 400).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const body = (await response.json()) as { type: string; status: number };
    expect(body.type).toBe(response.status === 404 ? '/api/problems/not-found' : '/api/problems/validation-error');
    if (kind.length <= 100) expect(response.status).toBe(404);
  });

  it('every kind is in the served document: ProblemKind schema and the description', async () => {
    const document = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as {
      info: { description: string };
      components: { schemas: Record<string, { enum?: string[] }> };
    };
    expect(document.components.schemas.ProblemKind?.enum).toEqual(problemKinds);
    for (const kind of problemKinds) expect(document.info.description).toContain(`/api/problems/${kind}`);
  });

  it('every kind is in docs/api.md', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../../../docs/api.md', import.meta.url)), 'utf8');
    for (const kind of problemKinds) expect(docs, kind).toContain(`/api/problems/${kind}`);
  });
});
