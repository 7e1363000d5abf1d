/**
 * The database half of the drift test's two descriptions (schema-description.ts holds the shape and
 * the half derived from prisma/schema.prisma): what a migrated database's pg_catalog says.
 */
import type { SchemaDescription } from './schema-description.js';

export type Query = <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

const PG_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

const unquote = (name: string) => name.replace(/"/g, '');

/** Reads tables, columns, enums, indexes and foreign keys of the `public` schema. */
export async function describeDatabase(query: Query, ignoreTables: readonly string[] = ['_prisma_migrations']): Promise<SchemaDescription> {
  const description: SchemaDescription = { tables: {}, enums: {}, indexes: {}, foreignKeys: {} };
  const ignored = new Set(ignoreTables);

  const columns = await query<{ table: string; column: string; type: string; notnull: boolean; default: string | null }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS default
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE c.relkind IN ('r', 'p') ORDER BY c.relname, a.attnum`,
  );
  for (const col of columns) {
    if (ignored.has(col.table)) continue;
    (description.tables[col.table] ??= {})[col.column] = {
      type: unquote(col.type),
      nullable: !col.notnull,
      default: col.default,
    };
  }

  const enumValues = await query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t
     JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
     JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder`,
  );
  for (const row of enumValues) (description.enums[row.name] ??= []).push(row.value);

  const indexes = await query<{ name: string; table: string; columns: string[]; unique: boolean; primary: boolean; method: string; predicate: string | null; options: string }>(
    `SELECT i.relname AS name, t.relname AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
            am.amname AS method, pg_get_expr(ix.indpred, ix.indrelid) AS predicate, ix.indoption::text AS options,
            ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
     FROM pg_index ix
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
     JOIN pg_am am ON am.oid = i.relam
     ORDER BY i.relname`,
  );
  for (const index of indexes) {
    if (ignored.has(index.table)) continue;
    // Expression or DESC indexes cannot come from this schema; show them as a difference.
    const columns = /[1-9]/.test(index.options) ? [...index.columns, '(desc)'] : index.columns;
    description.indexes[index.name] = {
      table: index.table,
      columns,
      unique: index.unique,
      primary: index.primary,
      method: index.method,
      ...(index.predicate === null ? {} : { where: index.predicate }),
    };
  }

  const fks = await query<{ name: string; table: string; columns: string[]; references: string; referenced: string[]; ondelete: string; onupdate: string }>(
    `SELECT con.conname AS name, t.relname AS table, r.relname AS references,
            con.confdeltype::text AS ondelete, con.confupdtype::text AS onupdate,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced
     FROM pg_constraint con
     JOIN pg_class t ON t.oid = con.conrelid
     JOIN pg_class r ON r.oid = con.confrelid
     JOIN pg_namespace n ON n.oid = con.connamespace AND n.nspname = 'public'
     WHERE con.contype = 'f' ORDER BY con.conname`,
  );
  for (const fk of fks) {
    if (ignored.has(fk.table)) continue;
    description.foreignKeys[fk.name] = {
      table: fk.table,
      columns: fk.columns,
      references: fk.references,
      referencedColumns: fk.referenced,
      onDelete: PG_ACTIONS[fk.ondelete] ?? fk.ondelete,
      onUpdate: PG_ACTIONS[fk.onupdate] ?? fk.onupdate,
    };
  }
  return description;
}
