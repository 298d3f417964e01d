/** The part of JSON Schema a plugin's settings form is drawn from. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  writeOnly?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export type FieldKind =
  | 'text'
  | 'textarea'
  | 'secret'
  | 'url'
  | 'email'
  | 'number'
  | 'boolean'
  | 'select'
  | 'list'
  | 'object'
  | 'json';

/** One input of the form, derived from a property schema. */
export interface Field {
  /** Path from the root, e.g. `['inbox', 'id']`. */
  path: string[];
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  integer: boolean;
  options?: unknown[];
  fields?: Field[];
  schema: JsonSchema;
}

const isNull = (s: JsonSchema) =>
  s.type === 'null' || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null');

/** `anyOf: [X, { type: 'null' }]` (and `type: ['x', 'null']`) → X, nullable. */
export function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    const rest = union.filter((s) => !isNull(s));
    if (rest.length === 1 && rest.length < union.length)
      return { schema: { ...schema, ...rest[0], anyOf: undefined, oneOf: undefined }, nullable: true };
    if (rest.every((s) => s.const !== undefined))
      return {
        schema: { ...schema, enum: rest.map((s) => s.const), anyOf: undefined, oneOf: undefined },
        nullable: rest.length < union.length,
      };
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    if (types.length === 1)
      return { schema: { ...schema, type: types[0] }, nullable: types.length < schema.type.length };
  }
  return { schema, nullable: false };
}

/** Words written in capitals in a label. */
const acronyms: Record<string, string> = { url: 'URL', id: 'ID', jid: 'JID', jids: 'JIDs', api: 'API' };

/** A label from a property name when the schema has no title: `inboxId` → `Inbox ID`. */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .split(' ')
    .map((word) => acronyms[word] ?? word)
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function kindOf(schema: JsonSchema): FieldKind {
  if (schema.enum) return 'select';
  if (schema.writeOnly || schema.format === 'password') return 'secret';
  switch (schema.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'number':
      return 'number';
    case 'object':
      return schema.properties ? 'object' : 'json';
    case 'array':
      return schema.items &&
        ['string', 'number', 'integer'].includes(String(unwrapNullable(schema.items).schema.type))
        ? 'list'
        : 'json';
    case 'string':
      if (schema.format === 'uri' || schema.format === 'url') return 'url';
      if (schema.format === 'email') return 'email';
      return (schema.maxLength ?? 0) > 500 ? 'textarea' : 'text';
    default:
      return 'json';
  }
}

/** The fields of an object schema, in declaration order. */
export function fieldsOf(schema: JsonSchema, parent: string[] = []): Field[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { schema: inner, nullable } = unwrapNullable(property);
    const kind = kindOf(inner);
    const path = [...parent, name];
    return {
      path,
      label: inner.title ?? humanize(name),
      ...(inner.description ? { description: inner.description } : {}),
      kind,
      // with a default, the server fills the field in: nothing the user must type
      required: required.has(name) && !nullable && inner.default === undefined,
      nullable,
      integer: inner.type === 'integer',
      ...(inner.enum ? { options: inner.enum } : {}),
      ...(kind === 'object' ? { fields: fieldsOf(inner, path) } : {}),
      schema: inner,
    };
  });
}

/** Stored values over the schema's defaults (nested objects merged). */
export function initialValues(
  schema: JsonSchema,
  stored: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fieldsOf(schema)) {
    const name = field.path.at(-1)!;
    const current = Object.hasOwn(stored, name) ? stored[name] : undefined;
    if (field.kind === 'object')
      out[name] = initialValues(
        field.schema,
        (current as Record<string, unknown> | undefined) ??
          (field.schema.default as Record<string, unknown>) ??
          {},
      );
    else if (current !== undefined) out[name] = current;
    else if (field.schema.default !== undefined) out[name] = field.schema.default;
  }
  return out;
}

/** Reads a value at a path. */
export function getAt(value: Record<string, unknown>, path: string[]): unknown {
  let at: unknown = value;
  for (const key of path)
    at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/** A copy of `value` with `path` set (`undefined` removes the key). */
export function setAt(
  value: Record<string, unknown>,
  path: string[],
  next: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const copy = { ...value };
  if (rest.length === 0) {
    if (next === undefined) delete copy[head];
    else copy[head] = next;
  } else copy[head] = setAt((copy[head] as Record<string, unknown>) ?? {}, rest, next);
  return copy;
}

/** What an input's text means for its field (numbers parsed, lists split by line or comma). */
export function parseInput(field: Field, text: string): unknown {
  // an emptied list is an empty list; other emptied fields are unset (the server's default)
  if (text.trim() === '') return field.nullable ? null : field.kind === 'list' ? [] : undefined;
  if (field.kind === 'number') return Number(text);
  if (field.kind === 'list') {
    const itemType = unwrapNullable(field.schema.items ?? {}).schema.type;
    const items = text
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
    return itemType === 'string' ? items : items.map(Number);
  }
  if (field.kind === 'json') return JSON.parse(text);
  if (field.kind === 'select') return field.options?.find((o) => String(o) === text);
  return text;
}

/**
 * The value to send: secrets the user did not type are left out, so the server keeps the
 * stored ones (it never shows them back).
 */
export function outgoingValue(
  schema: JsonSchema,
  value: Record<string, unknown>,
  typed: Set<string>,
): Record<string, unknown> {
  let out = value;
  const visit = (fields: Field[]) => {
    for (const field of fields) {
      if (field.kind === 'object') visit(field.fields ?? []);
      else if (field.kind === 'secret' && !typed.has(field.path.join('.')))
        out = setAt(out, field.path, undefined);
    }
  };
  visit(fieldsOf(schema));
  return out;
}
