// Compares, for every operation the fake serves, the parameters and request bodies of the
// packaged document (normalised) with another revision of Chatwoot's document:
//   npx tsx scripts/compare-spec.ts path/to/application_swagger.json
// Run by hand when a newer revision is at hand; tests never read anything outside the repo.
import { readFileSync } from 'node:fs';
import { normalise, type OpenApiDocument, readPublishedSpec } from '../src/spec/load.js';
import { servedOperations } from '../src/spec/served.js';

type Json = Record<string, unknown>;

function plain(doc: Json, value: unknown, depth = 0): unknown {
  if (depth > 20) return '…';
  if (Array.isArray(value)) return value.map((v) => plain(doc, v, depth + 1));
  if (!value || typeof value !== 'object') return value;
  const ref = (value as Json).$ref;
  if (typeof ref === 'string') {
    let target: unknown = doc;
    for (const key of ref.slice(2).split('/')) target = (target as Json)?.[key];
    return plain(doc, target, depth + 1);
  }
  const out: Json = {};
  for (const key of Object.keys(value).sort()) {
    if (['description', 'example', 'examples', 'summary'].includes(key)) continue;
    out[key] = plain(doc, (value as Json)[key], depth + 1);
  }
  return out;
}

function shape(doc: OpenApiDocument, method: string, path: string) {
  const item = doc.paths[path] as Json | undefined;
  const op = item?.[method] as Json | undefined;
  if (!op) return null;
  const params = [...((item?.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])];
  const byName = Object.fromEntries(
    (plain(doc as Json, params) as Json[]).map((p) => [
      `${p.in}:${p.name}`,
      { required: !!p.required, schema: p.schema },
    ]),
  );
  return { params: byName, body: plain(doc as Json, op.requestBody) };
}

const other = normalise(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as OpenApiDocument);
const ours = normalise(readPublishedSpec());
for (const [method, path] of servedOperations) {
  const a = shape(ours, method, path);
  const b = shape(other, method, path);
  const same = JSON.stringify(a) === JSON.stringify(b);
  console.log(
    `${same ? 'same' : 'DIFF'}  ${method.toUpperCase()} ${path}${a ? '' : '  (absent from the packaged revision)'}${b ? '' : '  (absent from the other revision)'}`,
  );
  if (!same && a && b) {
    for (const part of ['params', 'body'] as const) {
      const x = JSON.stringify(a[part]);
      const y = JSON.stringify(b[part]);
      if (x !== y) console.log(`      ${part}\n        packaged: ${x}\n        other:    ${y}`);
    }
  }
}
