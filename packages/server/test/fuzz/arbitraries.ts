import fc from 'fast-check';

/** A JSON Schema as the OpenAPI document writes it (the subset the server's routes use). */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
}

/** Text that has broken servers before: prototype keys, lone surrogates, NUL, odd JIDs, huge numbers. */
export const nastyString = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '',
  ' ',
  'x',
  'a\ud800b',
  '\udc00',
  'nul\u0000byte',
  '😀',
  '../../etc/passwd',
  '%00',
  '15550002222',
  '+1 (555) 000-2222',
  '15550002222@s.whatsapp.net',
  '15550002222:3@s.whatsapp.net',
  '123456789012345@lid',
  '120363000000000001@g.us',
  '1@2@s.whatsapp.net',
  'status@broadcast',
  'http://127.0.0.1:1/x',
  'http://169.254.169.254/latest',
  'file:///etc/passwd',
  'https://example.com/a.png',
  '00000000-0000-0000-0000-000000000000',
  '9999999999999999999999',
  '-1',
  '1e309',
  'nope.*',
  'message.*',
  '*',
  'a'.repeat(5000),
);

/** Any JSON-ish value, nasty keys and strings included. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyString, fc.string()), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const formatted = (format: string, uuids: readonly string[]): fc.Arbitrary<string> | undefined => {
  switch (format) {
    case 'uuid':
      return uuids.length ? fc.oneof(fc.uuid(), fc.constantFrom(...uuids)) : fc.uuid();
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uri':
      // no lookups of real hosts: a refused address, a name that never resolves, a malformed one
      return fc.constantFrom(
        'https://hooks.example.com/in',
        'http://127.0.0.1:1/hook',
        'https://media.invalid/x.png',
        'http://[::1]/',
        'ftp://x.invalid/a',
      );
    case 'email':
      return fc.emailAddress();
    default:
      return undefined;
  }
};

/** How {@link fromSchema} reads a document. */
export interface SchemaContext {
  /** The schema a `$ref` points at. */
  resolve(ref: string): Schema;
  /** Chance, at every node, of a nasty or wrong-typed value instead of a valid one. */
  mutation: number;
  /** Ids that exist (sessions, webhooks...), mixed into every uuid. */
  uuids: readonly string[];
}

/**
 * Values a JSON Schema accepts (mostly), with a `mutation` chance at every node of a nasty or
 * wrong-typed value instead, so the fuzzer gets past validation and also probes it.
 */
export function fromSchema(schema: Schema | undefined, ctx: SchemaContext, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFromSchema(schema, ctx, depth);
  if (ctx.mutation <= 0) return valid;
  const wrong = Math.max(1, Math.round(ctx.mutation * 100));
  return fc.oneof({ arbitrary: valid, weight: 100 - wrong }, { arbitrary: anyValue, weight: wrong });
}

function validFromSchema(
  schema: Schema | undefined,
  ctx: SchemaContext,
  depth: number,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return anyValue;
  if (schema.$ref) return fromSchema(ctx.resolve(schema.$ref), ctx, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives)
    return fc.oneof(...alternatives.map((s) => fromSchema({ ...rest(schema), ...s }, ctx, depth + 1)));
  if (schema.allOf)
    return fromSchema(
      Object.assign({}, ...schema.allOf.map((s) => (s.$ref ? ctx.resolve(s.$ref) : s))),
      ctx,
      depth + 1,
    );
  const type = Array.isArray(schema.type)
    ? schema.type[0]
    : (schema.type ?? (schema.properties ? 'object' : undefined));
  switch (type) {
    case 'string': {
      if (schema.format && formatted(schema.format, ctx.uuids)) return formatted(schema.format, ctx.uuids)!;
      if (schema.pattern) {
        try {
          return fc
            .stringMatching(new RegExp(schema.pattern))
            .filter((s) => s.length <= (schema.maxLength ?? 10_000));
        } catch {
          // a pattern fast-check cannot read: fall through to plain strings
        }
      }
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items, ctx, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const record = fc.record(
        Object.fromEntries(properties.map(([k, s]) => [k, fromSchema(s, ctx, depth + 1)])),
        { requiredKeys: properties.map(([k]) => k).filter((k) => required.has(k)) },
      );
      const extra =
        typeof schema.additionalProperties === 'object'
          ? fc.dictionary(
              fc.oneof(nastyString, fc.string()),
              fromSchema(schema.additionalProperties, ctx, depth + 1),
              { maxKeys: 3 },
            )
          : fc.constant({});
      return fc.tuple(record, extra).map(([known, more]) => ({ ...more, ...known }));
    }
    default:
      return anyValue;
  }
}

const rest = ({ anyOf: _a, oneOf: _o, ...others }: Schema): Schema => others;
