import fc from 'fast-check';
import { fromSchema, nastyString, type Schema, type SchemaContext } from './arbitraries.js';

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: { in: string; name: string; required?: boolean; schema?: Schema }[];
  body?: { contentTypes: string[]; schema?: Schema };
}

/** Every operation of an OpenAPI document, in document order. */
export function operationsOf(doc: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const requestBody = op.requestBody as { content: Record<string, { schema?: Schema }> } | undefined;
      const contentTypes = requestBody ? Object.keys(requestBody.content) : [];
      return {
        method: method.toUpperCase(),
        path,
        operationId: String(op.operationId),
        parameters: (op.parameters ?? []) as Operation['parameters'],
        ...(requestBody
          ? { body: { contentTypes, schema: requestBody.content[contentTypes[0] as string]?.schema } }
          : {}),
      };
    }),
  );
}

/** Who calls: the admin, the session's own key, another session's key, nobody, a wrong key. */
export type Caller = 'admin' | 'own' | 'other' | 'none' | 'wrong';

/** A generated request, before the caller's key is filled in. */
export interface FuzzRequest {
  caller: Caller;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Real values per path parameter name (ids that exist, the forms of a chat id...). */
export type Pools = Record<string, readonly string[]>;

/** Percent-encodes a path segment byte by byte (a lone surrogate becomes U+FFFD, as in any client). */
const encodeSegment = (value: string) =>
  [...Buffer.from(value, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~@:+-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

// segments no client library would send, but a raw HTTP client can
const rawSegments = fc.constantFrom('%ED%A0%80', '%', '%zz', '%C0%AF', '..', '%2F', '%00');

const queryValue = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Arbitrary requests to one operation: real ids and odd ones in the path, bodies from the schema. */
export function requestsFor(op: Operation, ctx: SchemaContext, pools: Pools): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const segment = (p: Operation['parameters'][number]) => {
    const pool = pools[p.name] ?? [];
    const weighted = (arbitrary: fc.Arbitrary<string>, weight: number) => ({
      arbitrary: arbitrary.map(encodeSegment),
      weight,
    });
    return fc.oneof(
      ...(pool.length ? [weighted(fc.constantFrom(...pool), 12)] : []),
      weighted(fromSchema(p.schema, { ...ctx, mutation: 0 }).map(String), 4),
      weighted(nastyString, 2),
      weighted(fc.string({ maxLength: 30 }), 1),
      { arbitrary: rawSegments, weight: 1 },
    );
  };
  const query = fc.record(
    Object.fromEntries(
      queryParams.map((p) => {
        const schema = /wait|timeout/i.test(p.name) ? { type: 'integer', minimum: 0, maximum: 1 } : p.schema;
        return [p.name, fromSchema(schema, ctx).map(queryValue)];
      }),
    ),
    { requiredKeys: [] },
  );
  const body = op.body ? fromSchema(op.body.schema, ctx) : fc.constant(undefined);
  const bodyMode = op.body
    ? fc.constantFrom(
        'json',
        'json',
        'json',
        'json',
        'json',
        'json',
        'none',
        'empty',
        'garbage',
        'multipart',
        'text',
      )
    : fc.constantFrom('none', 'none', 'none', 'json', 'garbage');
  return fc
    .record({
      caller: fc.oneof(
        { arbitrary: fc.constant<Caller>('admin'), weight: 6 },
        { arbitrary: fc.constant<Caller>('own'), weight: 3 },
        { arbitrary: fc.constantFrom<Caller>('other', 'none', 'wrong'), weight: 1 },
      ),
      segments: fc.tuple(...pathParams.map(segment)),
      query,
      body,
      bodyMode,
      garbage: fc.oneof(
        fc.string(),
        fc.constantFrom('{', '{"a":', '[1,', 'null', '"x"', '{"__proto__":{"id":1}}'),
      ),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), nastyString), { nil: undefined }),
    })
    .map(({ caller, segments, query: q, body: b, bodyMode: mode, garbage, idempotencyKey }) => {
      let url = op.path;
      pathParams.forEach((p, i) => {
        url = url.replace(`{${p.name}}`, segments[i] as string);
      });
      const search = new URLSearchParams(q as Record<string, string>).toString();
      if (search) url += `?${search}`;
      const headers: Record<string, string> = {};
      if (idempotencyKey !== undefined && op.parameters.some((p) => p.name === 'idempotency-key'))
        headers['idempotency-key'] = encodeSegment(idempotencyKey);
      let payload: string | undefined;
      switch (mode) {
        case 'json':
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(b ?? null);
          break;
        case 'empty':
          headers['content-type'] = 'application/json';
          payload = '';
          break;
        case 'garbage':
          headers['content-type'] = 'application/json';
          payload = garbage;
          break;
        case 'text':
          headers['content-type'] = 'text/plain';
          payload = garbage;
          break;
        case 'multipart':
          headers['content-type'] = 'multipart/form-data; boundary=fz';
          payload = `--fz\r\nContent-Disposition: form-data; name="body"\r\n\r\n${JSON.stringify(b ?? null)}\r\n--fz\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${garbage}\r\n--fz--\r\n`;
          break;
      }
      return { caller, method: op.method, url, headers, ...(payload === undefined ? {} : { payload }) };
    });
}
