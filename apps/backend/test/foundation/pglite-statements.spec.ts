import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedStatements } from '../../src/database/pglite-statements.js';

const SELECT = `SELECT id, title, n, big, tags, meta, done, kind, created_at, note FROM items WHERE id = $1 OR (tags && $2::text[] AND created_at >= $3)`;
const prepared = async (db: PGlite) => (await db.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements')).rows;

describe('PreparedStatements on PGlite', () => {
  let db: PGlite;
  let statements: PreparedStatements;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec(`
      CREATE TYPE kind AS ENUM ('A', 'B');
      CREATE TABLE items (
        id uuid PRIMARY KEY, title text NOT NULL UNIQUE, n int, big bigint, tags text[], meta jsonb,
        done boolean, kind kind, created_at timestamptz NOT NULL DEFAULT now(), note text
      );
      INSERT INTO items VALUES
        ('00000000-0000-4000-8000-000000000001', 'one', 1, 9007199254740993, '{a,"b c"}', '{"x":[1,"y"]}', true, 'A', '2026-01-02T03:04:05.678Z', NULL),
        ('00000000-0000-4000-8000-000000000002', 'two', NULL, 2, '{}', 'null', false, 'B', '2026-02-02T00:00:00Z', 'é\u0001');
    `);
    await db.refreshArrayTypes();
    statements = await PreparedStatements.on(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('should answer the same rows, types and values as PGlite.query for the same statement and parameters', async () => {
    const params = ['00000000-0000-4000-8000-000000000002', ['a'], new Date('2026-01-01T00:00:00Z')];
    const expected = (await db.query(SELECT, params)).rows;
    expect(expected).toHaveLength(2);
    expect((await statements.query(SELECT, params)).rows).toEqual(expected);
    // The second run uses the prepared statement: still the same answer.
    expect((await statements.query(SELECT, params)).rows).toEqual(expected);
    const [first] = (await statements.query(SELECT, params)).rows;
    expect(first?.created_at).toBeInstanceOf(Date);
    expect(first?.tags).toEqual(['a', 'b c']);
    expect(first?.meta).toEqual({ x: [1, 'y'] });
  });

  it('should answer long, multi-byte and BOM-led text exactly as stored, over many rows', async () => {
    // PGlite.query's parser drops a leading U+FEFF (a TextDecoder BOM); the stored text keeps it.
    const text = `\uFEFF${'é💡'.repeat(2000)}\u0001`;
    const select = `SELECT g AS n, CASE WHEN g % 3 = 0 THEN NULL ELSE $1::text END AS note, '' AS empty FROM generate_series(1, 500) AS g`;
    const { rows } = await statements.query(select, [text]);
    expect(rows).toHaveLength(500);
    expect(rows.filter((row) => row.note === text)).toHaveLength(334);
    expect(rows.filter((row) => row.note === null)).toHaveLength(166);
    expect(rows.every((row, i) => row.n === i + 1 && row.empty === '')).toBe(true);
  });

  it('should parse a statement text once and run it by name afterwards', async () => {
    const text = 'SELECT count(*)::int AS n FROM items WHERE n = $1';
    for (let i = 0; i < 3; i += 1) expect((await statements.query(text, [1])).rows).toEqual([{ n: 1 }]);
    expect((await prepared(db)).filter((row) => row.statement === text)).toHaveLength(1);
  });

  it('should throw PostgreSQL errors with their code, keep nothing of a failed statement and stay usable', async () => {
    await expect(statements.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
    expect((await prepared(db)).some((row) => row.statement === 'SELEC 1')).toBe(false);
    const insert = 'INSERT INTO items (id, title) VALUES ($1, $2)';
    await expect(statements.query(insert, ['00000000-0000-4000-8000-000000000003', 'one'])).rejects.toMatchObject({ code: '23505' });
    await expect(statements.query(insert, ['not-a-uuid', 'three'])).rejects.toMatchObject({ code: '22P02' });
    expect((await statements.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 2 }]);
  });

  it('should commit a transaction that resolves and roll back one that throws', async () => {
    const insert = 'INSERT INTO items (id, title) VALUES ($1, $2) RETURNING title';
    const kept = await statements.transaction(async (tx) => (await tx.query(insert, ['00000000-0000-4000-8000-000000000004', 'four'])).rows);
    expect(kept).toEqual([{ title: 'four' }]);
    await expect(
      statements.transaction(async (tx) => {
        await tx.query(insert, ['00000000-0000-4000-8000-000000000005', 'five']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const titles = (await statements.query('SELECT title FROM items ORDER BY title')).rows.map((row) => row.title);
    expect(titles).toEqual(['four', 'one', 'two']);
  });

  it('should hold a statement from outside until a running transaction has committed', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted = (): void => undefined;
    const insertedYet = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const transaction = statements.transaction(async (tx) => {
      await tx.query('INSERT INTO items (id, title) VALUES ($1, $2)', ['00000000-0000-4000-8000-000000000006', 'six']);
      inserted();
      await gate;
    });
    await insertedYet;
    const outside = statements.query('SELECT count(*)::int AS n FROM items WHERE title = $1', ['six']);
    let answered = false;
    void outside.then(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    await transaction;
    expect((await outside).rows).toEqual([{ n: 1 }]);
  });

  it('should plan each prepared statement once (generic plans) on the session it opens', async () => {
    expect((await db.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows).toEqual([{ plan_cache_mode: 'force_generic_plan' }]);
    const text = 'SELECT title FROM items WHERE id = $1';
    for (const id of ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']) await statements.query(text, [id]);
    const plans = await db.query<{ generic_plans: number; custom_plans: number }>(
      'SELECT generic_plans::int, custom_plans::int FROM pg_prepared_statements WHERE statement = $1',
      [text],
    );
    expect(plans.rows).toEqual([{ generic_plans: 2, custom_plans: 0 }]);
  });

  it('should keep at most 256 statements prepared, closing the least recently used', async () => {
    const hot = 'SELECT 0 AS hot';
    await statements.query(hot);
    for (let i = 1; i <= 300; i += 1) {
      await statements.query(`SELECT ${i} AS n`);
      if (i % 100 === 0) await statements.query(hot);
    }
    const names = await prepared(db);
    expect(names.length).toBeLessThanOrEqual(256);
    expect(names.some((row) => row.statement === hot)).toBe(true);
    expect(names.some((row) => row.statement === 'SELECT 1 AS n')).toBe(false);
    expect((await statements.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });
});
