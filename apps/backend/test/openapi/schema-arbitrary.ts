/**
 * fast-check values FROM THE OPENAPI DOCUMENT's JSON Schemas (not the Zod source), so the fuzzer
 * tests what the document promises: `valid` stays inside each schema, `invalid` breaks one rule.
 */
import fc from 'fast-check';

export type Schema = Record<string, unknown>;
type Resolve = (schema: Schema) => Schema;

export function resolver(document: { components?: { schemas?: Record<string, Schema> } }): Resolve {
  const resolve: Resolve = (schema) => {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const name = ref.replace('#/components/schemas/', '');
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`unresolvable ${ref}`);
    return resolve(target);
  };
  return resolve;
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 40, 300);
  // JSON Schema counts code points (the server counts UTF-16 units: see the schemas' descriptions).
  const fits = (value: string) => [...value].length >= minLength && [...value].length <= maxLength;
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : undefined;
  if (schema.format === 'email') {
    return fc.emailAddress().filter((value) => fits(value) && (!pattern || pattern.test(value)));
  }
  const text = fc.oneof(
    fc.string({ minLength, maxLength: Math.min(maxLength, 60) }),
    fc.string({ minLength, maxLength: Math.min(maxLength, 60), unit: 'grapheme' }),
    fc.string({ minLength: Math.max(minLength, maxLength - 2), maxLength, unit: 'grapheme-ascii' }),
  );
  if (!pattern) return text.filter(fits);
  try {
    // Regexes without lookarounds (enums in a list, ids): generated straight from the pattern.
    return fc.stringMatching(new RegExp(schema.pattern as string)).filter((value) => fits(value) && pattern.test(value));
  } catch {
    return text.filter((value) => fits(value) && pattern.test(value));
  }
}

/** Values the schema accepts. */
export function validOf(raw: Schema, resolve: Resolve, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) return fc.oneof(...variants.map((variant) => validOf(variant, resolve, depth + 1)));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: typeof schema.minimum === 'number' ? schema.minimum : -1000,
        max: typeof schema.maximum === 'number' ? Math.min(schema.maximum, 2_147_483_647) : 1000,
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'string':
      return stringOf(schema);
    case 'array': {
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 3, minLength + 3);
      return fc.array(validOf((schema.items ?? {}) as Schema, resolve, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, validOf(value, resolve, depth + 1)])),
        { requiredKeys: required },
      );
      const minProperties = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
      return record.filter((value) => Object.keys(value).length >= minProperties);
    }
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.constant(null));
  }
}

/** A value of the wrong type, or just past an edge the schema states. */
function wrongFor(schema: Schema): fc.Arbitrary<unknown> {
  const past: unknown[] = [];
  if (typeof schema.maxLength === 'number') past.push('x'.repeat(schema.maxLength + 1));
  if (typeof schema.minLength === 'number' && schema.minLength > 0) past.push('');
  if (typeof schema.maximum === 'number') past.push(schema.maximum + 1);
  if (typeof schema.minimum === 'number') past.push(schema.minimum - 1);
  if (typeof schema.pattern === 'string' || schema.format) past.push('a\u0000b', '\ud800', '   ', 'not valid');
  if (schema.type === 'integer') past.push(1.5, '12');
  if (Array.isArray(schema.enum)) past.push('NOPE');
  past.push(schema.type === 'string' ? 42 : 'text', { nested: true }, [1]);
  return fc.constantFrom(...past);
}

/** An object body the schema refuses: a required field dropped, an unknown one added, or one field broken. */
export function invalidObjectOf(raw: Schema, resolve: Resolve): fc.Arbitrary<unknown> {
  const schema = resolve(raw);
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  const valid = validOf(schema, resolve) as fc.Arbitrary<Record<string, unknown>>;
  const options: fc.Arbitrary<unknown>[] = [
    valid.map((value) => ({ ...value, unknownField: 1 })),
    fc.constantFrom(null, [], 'text', 7),
  ];
  if (required.length > 0) {
    options.push(fc.tuple(valid, fc.constantFrom(...required)).map(([value, key]) => {
      const copy = { ...value };
      delete copy[key];
      return copy;
    }));
  }
  const keys = Object.keys(properties);
  if (keys.length > 0) {
    options.push(
      fc.constantFrom(...keys).chain((key) =>
        fc.tuple(valid, wrongFor(resolve(properties[key]!))).map(([value, wrong]) => ({ ...value, [key]: wrong })),
      ),
    );
  }
  return fc.oneof(...options);
}

/** A query or path value the parameter's schema refuses. */
export function invalidParameterOf(raw: Schema, resolve: Resolve): fc.Arbitrary<unknown> {
  return wrongFor(resolve(raw));
}
