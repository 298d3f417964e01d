import { type Field, fieldsOf, getAt, type JsonSchema } from './schema-form.js';

/**
 * The problems of a form value, by field path (`inbox.id`), in plain words. The server validates
 * again with the plugin's schema; this only spares a round trip for the obvious ones. With
 * `secretsSet` (the secrets the server has), a required secret that is neither stored nor typed
 * is a problem too; without it, secrets are left to the server.
 */
export function validateValue(
  schema: JsonSchema,
  value: Record<string, unknown>,
  secretsSet?: readonly string[],
): Record<string, string> {
  const problems: Record<string, string> = {};
  const visit = (fields: Field[]) => {
    for (const field of fields) {
      const key = field.path.join('.');
      const v = getAt(value, field.path);
      if (field.kind === 'object') {
        visit(field.fields ?? []);
        continue;
      }
      if (v === undefined || v === null || v === '') {
        const stored = field.kind === 'secret' && (secretsSet === undefined || secretsSet.includes(key));
        // a required field with a default is filled in by the server
        if (field.required && !stored && field.schema.default === undefined) problems[key] = 'is required';
        continue;
      }
      const problem = checkOne(field, v);
      if (problem) problems[key] = problem;
    }
  };
  visit(fieldsOf(schema));
  return problems;
}

function checkOne(field: Field, v: unknown): string | null {
  const s = field.schema;
  if (field.kind === 'number') {
    if (typeof v !== 'number' || Number.isNaN(v)) return 'must be a number';
    if (field.integer && !Number.isInteger(v)) return 'must be a whole number';
    if (s.minimum !== undefined && v < s.minimum) return `must be at least ${s.minimum}`;
    if (s.maximum !== undefined && v > s.maximum) return `must be at most ${s.maximum}`;
    return null;
  }
  if (field.kind === 'list') {
    const items = v as unknown[];
    if (s.minItems !== undefined && items.length < s.minItems) return `needs at least ${s.minItems} item(s)`;
    if (s.maxItems !== undefined && items.length > s.maxItems) return `takes at most ${s.maxItems} item(s)`;
    if (items.some((i) => typeof i === 'number' && Number.isNaN(i))) return 'must hold numbers';
    return null;
  }
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength)
      return `must have at least ${s.minLength} characters`;
    if (s.maxLength !== undefined && v.length > s.maxLength)
      return `must have at most ${s.maxLength} characters`;
    if (s.pattern && !new RegExp(s.pattern, 'u').test(v)) return 'has the wrong form';
    if (field.kind === 'url' && !URL.canParse(v)) return 'must be a full URL (https://…)';
  }
  if (field.options && !field.options.includes(v)) return `must be one of ${field.options.join(', ')}`;
  return null;
}
