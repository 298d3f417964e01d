import type { TSchema } from '@sinclair/typebox';

type Json = unknown;

/** Key order, `const` vs one-value `enum`: spellings that mean the same schema. */
function normalize(node: Json): Json {
  if (Array.isArray(node)) return node.map(normalize);
  if (!node || typeof node !== 'object') return node;
  const source = { ...(node as Record<string, Json>) };
  if ('const' in source && !('enum' in source)) {
    source.enum = [source.const];
    delete source.const;
  }
  const out: Record<string, Json> = {};
  for (const key of Object.keys(source).sort()) out[key] = normalize(source[key]);
  return out;
}

const canonical = (node: Json) => JSON.stringify(normalize(node));

/**
 * Moves every inline copy of the named schemas (core's contracts) into
 * `components/schemas` and points to it with `$ref`, so the document stays small and the
 * generated SDK gets named types (`components['schemas']['Message']`). Matching is by
 * meaning (key order and `const`/`enum` spelling ignored), innermost first.
 */
export function hoistComponents(
  document: Record<string, Json>,
  named: Record<string, TSchema>,
): Record<string, Json> {
  const byCanonical = new Map(
    Object.entries(named).map(([name, schema]) => {
      const { description: _d, examples: _e, ...core } = JSON.parse(JSON.stringify(schema));
      return [canonical(core), name];
    }),
  );
  const components: Record<string, Json> = {};
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    // A use may add its own description or examples (allowed beside $ref in OpenAPI 3.1).
    const { description, examples, ...core } = node as Record<string, Json>;
    const name = byCanonical.get(canonical(core)) ?? byCanonical.get(canonical(node));
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(name ? core : node)) out[k] = visit(v);
    if (!name) return out;
    components[name] ??= out;
    return {
      $ref: `#/components/schemas/${name}`,
      ...(description !== undefined && description !== (named[name] as { description?: unknown }).description
        ? { description }
        : {}),
      ...(examples !== undefined ? { examples } : {}),
    };
  };
  const paths = visit(document.paths);
  const webhooks = visit(document.webhooks);
  const existing = (document.components as { schemas?: Record<string, Json> } | undefined) ?? {};
  const schemas = { ...existing.schemas };
  for (const name of Object.keys(components).sort()) schemas[name] = components[name];
  return { ...document, paths, webhooks, components: { ...existing, schemas } };
}
