import { Ajv, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; its default export is the function under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Query strings, params and headers are text: `?limit=10` and `?archived=true` convert. */
const textOptions: AjvOptions = {
  coerceTypes: 'array',
  useDefaults: true,
  removeAdditional: true,
  allErrors: true,
  discriminator: true,
  strict: false,
};

/**
 * Bodies are JSON and are taken as sent: no coercion (`{"name":123}` is not a name) and
 * unknown fields are refused by name instead of dropped.
 */
const bodyOptions: AjvOptions = { ...textOptions, coerceTypes: false, removeAdditional: false };

/**
 * Objects with declared properties refuse others (`additionalProperties: false`) unless the
 * schema says otherwise; free-form objects (records, `metadata`) keep what they have.
 */
function closedObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = closedObjects(value);
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
}

/**
 * Union schemas whose branches are all objects with a constant `type` become `oneOf` with a
 * discriminator for validation only, so a bad send body reports the problems of its own
 * branch instead of every branch's (documentation keeps the plain union).
 */
function withDiscriminators(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withDiscriminators);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = withDiscriminators(value);
  const branches = out.anyOf as Record<string, unknown>[] | undefined;
  // A union of literals validates as an enum: one clear error instead of one per literal.
  if (Array.isArray(branches) && branches.length > 0 && branches.every((b) => b && 'const' in b)) {
    delete out.anyOf;
    out.enum = branches.map((b) => b.const);
    return out;
  }
  const tag = Array.isArray(branches) && branches.length > 1 ? discriminatorOf(branches) : undefined;
  if (tag) {
    delete out.anyOf;
    out.oneOf = branches;
    out.discriminator = { propertyName: tag };
    out.type = 'object';
    out.required = [tag];
  }
  return out;
}

function discriminatorOf(branches: Record<string, unknown>[]): string | undefined {
  for (const tag of ['type']) {
    const ok = branches.every((b) => {
      const prop = (b.properties as Record<string, { const?: unknown }> | undefined)?.[tag];
      return (
        b.type === 'object' &&
        prop?.const !== undefined &&
        (b.required as string[] | undefined)?.includes(tag)
      );
    });
    if (ok) return tag;
  }
  return undefined;
}

/**
 * A Fastify validator compiler: ajv 8 with formats, defaults and every error listed; query
 * strings, params and headers convert from text, bodies are strict (no coercion, no unknown fields).
 * Each schema compiles on its route's first request: compiling every route's schemas before
 * listening was a fifth of a start.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  let compilers: { text: Ajv; body: Ajv } | undefined;
  const ajv = () => {
    if (!compilers) {
      compilers = { text: new Ajv(textOptions), body: new Ajv(bodyOptions) };
      addFormats(compilers.text);
      addFormats(compilers.body);
    }
    return compilers;
  };
  return ({ schema, httpPart }) =>
    lazily(() =>
      httpPart === 'body'
        ? ajv().body.compile(closedObjects(withDiscriminators(schema)) as object)
        : ajv().text.compile(withDiscriminators(schema) as object),
    );
}

/** A validate function that compiles on its first call; Fastify reads `errors` after a failure. */
function lazily(compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= compile();
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  }) as ValidateFunction;
  validate.errors = null;
  return validate;
}
