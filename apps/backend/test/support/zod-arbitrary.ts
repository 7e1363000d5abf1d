/**
 * The small Zod 4 → fast-check bridge the fuzz tests need (the published bridges target Zod 3).
 * `fromSchema` yields values shaped by the schema, mostly valid, sometimes just past its edges;
 * `mutate` bends a value into something the schema should refuse. The schema itself stays the
 * oracle: a test asks `schema.safeParse(value)` what the server must answer.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number } } }[];
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
  format?: string;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

function lengthBounds(def: Def): { min: number; max: number } {
  let min = 0;
  let max = 64;
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length' && c.minimum !== undefined) min = c.minimum;
    if (c.check === 'max_length' && c.maximum !== undefined) max = c.maximum;
  }
  return { min, max };
}

/** Strings that have broken services before: blanks, control characters, markup, SQL, huge Unicode. */
export const hostileStrings: readonly string[] = [
  '',
  ' ',
  '   \t\n ',
  '\u0000',
  'a\u0000b',
  '\u202e\u200b\ufeff',
  '😀'.repeat(3),
  '<script>alert(1)</script>',
  "'; DROP TABLE tasks; --",
  '" OR 1=1 --',
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '%00%0d%0a',
  '\ud800',
  'null',
  'undefined',
  '__proto__',
  '{"$gt":""}',
];

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  const { min, max } = lengthBounds(def);
  if (def.format === 'email') {
    return fc.oneof(
      { weight: 4, arbitrary: fc.emailAddress() },
      { weight: 1, arbitrary: fc.constantFrom(...hostileStrings, 'a@', '@b.io', 'x@y', 'A@X.IO ') },
    );
  }
  const cap = Math.min(max, 300);
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: min, maxLength: cap, unit: 'grapheme' }) },
    { weight: 2, arbitrary: fc.constantFrom(...hostileStrings) },
    // Exactly at and just past the edges.
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), 'x'.repeat(Math.max(0, min - 1)), ' '.repeat(Math.max(1, min))) },
  );
}

/** Values of the schema's own shape: mostly valid, at times just outside. */
export function fromSchema(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def);
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: fc.constantFrom(...values.map((v) => v.toLowerCase()), 'UNKNOWN', '') });
    }
    case 'literal':
      return fc.constantFrom(...(def.values ?? []));
    case 'number':
      return fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0));
    case 'boolean':
      return fc.boolean();
    case 'optional':
    case 'default':
      return fc.option(fromSchema(def.innerType!), { nil: undefined, freq: 3 });
    case 'nullable':
      return fc.option(fromSchema(def.innerType!), { nil: null, freq: 4 });
    case 'pipe':
      return fromSchema(def.in!);
    case 'array':
      return fc.array(fromSchema(def.element!), { maxLength: 4 });
    case 'object': {
      const entries = Object.entries(def.shape ?? {});
      return fc.tuple(...entries.map(([, value]) => fromSchema(value))).map((values) => {
        const out: Record<string, unknown> = {};
        entries.forEach(([key], index) => {
          if (values[index] !== undefined) out[key] = values[index];
        });
        return out;
      });
    }
    default:
      return fc.anything();
  }
}

/** Fields a client must never be able to set (mass assignment). */
export const FORBIDDEN_FIELDS = ['id', 'userId', 'user_id', 'deletedAt', 'version', 'createdAt', 'updatedAt', 'startedAt', 'completedAt', 'failedAt', 'logs', 'passwordHash', 'role', 'isAdmin'] as const;

const wrongTypes: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  fc.constant(1e308),
);

/** Bends a valid-shaped object body into a likely-invalid one. */
export function mutate(shaped: fc.Arbitrary<unknown>, keys: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    // Extra forbidden field.
    fc.tuple(shaped, fc.constantFrom(...FORBIDDEN_FIELDS), fc.oneof(fc.uuid(), fc.integer(), fc.constant(null), fc.date().map((d) => (Number.isNaN(d.getTime()) ? '2020-01-01T00:00:00.000Z' : d.toISOString())))).map(([body, key, value]) => ({ ...(body as object), [key]: value })),
    // Unknown field.
    fc.tuple(shaped, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue()).map(([body, key, value]) => ({ ...(body as object), [key]: value })),
    // Wrong type in a known field.
    fc.tuple(shaped, fc.constantFrom(...keys), wrongTypes).map(([body, key, value]) => ({ ...(body as object), [key]: value })),
    // Prototype pollution attempts (sent as raw JSON keys).
    shaped.map((body) => JSON.parse(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},${JSON.stringify(body).slice(1)}`.replace(/,}$/, '}')) as unknown),
    // Not an object at all.
    fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string(), fc.integer(), fc.constant(null), fc.boolean()),
  );
}
