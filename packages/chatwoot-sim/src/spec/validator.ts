import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type Document, OpenAPIBackend, type Operation } from 'openapi-backend';
import type { OpenApiDocument } from './load.js';

/** A request as the validator sees it. Multipart files are given as their file names. */
export interface CheckedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** Media type without parameters (`application/json`, `multipart/form-data`), when there is a body. */
  contentType?: string;
  body?: unknown;
}

/** The operation a request matched and what is wrong with it (empty when it conforms). */
export interface CheckResult {
  operationId: string | null;
  problems: string[];
}

/** Validates requests against an OpenAPI document: method and path, parameters, body. */
export interface SpecValidator {
  check(request: CheckedRequest): CheckResult;
}

type Schema = Record<string, unknown>;
type Param = { name: string; in: string; required?: boolean; schema?: Schema };

/**
 * A closed copy of a body schema: the fake refuses top-level properties the document does not
 * list. Chatwoot silently drops them, which would hide a misspelt field in the plugin.
 */
function closed(schema: Schema): Schema {
  if (schema.type !== 'object' || !schema.properties || 'additionalProperties' in schema) return schema;
  return { ...schema, additionalProperties: false };
}

function describe(errors: ValidateFunction['errors'], where: string): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${where}${e.instancePath} ${e.message}${extra}`;
  });
}

interface Compiled {
  path: ValidateFunction;
  query: ValidateFunction;
  bodies: Map<string, ValidateFunction>;
  bodyRequired: boolean;
}

function compile(operation: Operation, coercing: Ajv, exact: Ajv): Compiled {
  const params = (operation.parameters ?? []) as Param[];
  const group = (location: string, open: boolean) => {
    const mine = params.filter((p) => p.in === location);
    return coercing.compile({
      type: 'object',
      properties: Object.fromEntries(mine.map((p) => [p.name, p.schema ?? {}])),
      required: mine.filter((p) => p.required).map((p) => p.name),
      additionalProperties: open,
    });
  };
  const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
    ?.content;
  const bodies = new Map<string, ValidateFunction>();
  for (const [type, media] of Object.entries(content ?? {})) {
    bodies.set(type, exact.compile(closed(media.schema ?? {})));
  }
  return {
    path: group('path', true),
    query: group('query', false),
    bodies,
    bodyRequired: (operation.requestBody as { required?: boolean } | undefined)?.required === true,
  };
}

function newAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, useDefaults: false });
  addFormats.default(ajv);
  ajv.addFormat('binary', true);
  ajv.addFormat('json-object', (value: string) => {
    try {
      const parsed: unknown = JSON.parse(value);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    } catch {
      return false;
    }
  });
  return ajv;
}

/** Builds a validator for `document` (dereferenced once, then every operation compiled on first use). */
export async function createSpecValidator(document: OpenApiDocument): Promise<SpecValidator> {
  const api = new OpenAPIBackend({
    definition: document as unknown as Document,
    validate: false,
    quick: false,
  });
  await api.init();
  const coercing = newAjv('array');
  const exact = newAjv(false);
  const compiled = new Map<string, Compiled>();

  return {
    check(request) {
      const req = {
        method: request.method.toLowerCase(),
        path: request.path,
        query: request.query,
        headers: {},
      };
      const operation = api.matchOperation(req);
      if (!operation?.operationId) {
        return { operationId: null, problems: [`${request.method} ${request.path} is not in the document`] };
      }
      let validators = compiled.get(operation.operationId);
      if (!validators) {
        validators = compile(operation, coercing, exact);
        compiled.set(operation.operationId, validators);
      }
      const parsed = api.router.parseRequest(req, operation);
      const problems: string[] = [];
      const params = { ...parsed.params };
      if (!validators.path(params)) problems.push(...describe(validators.path.errors, 'path'));
      const query = { ...request.query };
      if (!validators.query(query)) problems.push(...describe(validators.query.errors, 'query'));
      if (request.body === undefined) {
        if (validators.bodyRequired) problems.push('body is required');
      } else {
        const validate = validators.bodies.get(request.contentType ?? '');
        if (!validate) problems.push(`body of type ${request.contentType} is not documented`);
        else if (!validate(request.body)) problems.push(...describe(validate.errors, 'body'));
      }
      return { operationId: operation.operationId, problems };
    },
  };
}
