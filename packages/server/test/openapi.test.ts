import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openapiDocument } from '../src/write-openapi.js';
import { echoPlugin } from './echo-plugin.js';
import { type TestServer, testServer } from './fixtures.js';

type Operation = {
  operationId?: string;
  responses?: Record<string, unknown>;
  security?: unknown[];
  tags?: string[];
};

describe('OpenAPI document', () => {
  let t: TestServer;
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document
  let doc: any;
  beforeAll(async () => {
    t = await testServer({ plugins: [echoPlugin()] });
    const res = await t.app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(() => t?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has unique operationIds and documented responses on every operation', () => {
    const operations: [string, Operation][] = Object.entries(
      doc.paths as Record<string, Record<string, Operation>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation],
      ),
    );
    const ids = operations.map(([, op]) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [where, op] of operations) {
      expect(Object.keys(op.responses ?? {}), where).not.toHaveLength(0);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      if (where.includes('/v1/') && !where.includes('/echo/public')) {
        expect(op.responses?.['401'], where).toBeDefined();
        expect(op.responses?.['500'], where).toBeDefined();
      }
    }
    // every API route of the server is documented
    const documented = new Set(ids);
    for (const route of t.app.zapgate.routeTable)
      expect(documented.has(route.operationId), route.operationId).toBe(true);
  });

  it('declares the security schemes, public routes and multipart sends', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(doc.paths['/health/live'].get.security).toEqual([]);
    expect(doc.paths['/v1/echo/public'].get.security).toEqual([]);
    const send = doc.paths['/v1/sessions/{sessionId}/messages'].post;
    expect(Object.keys(send.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
    expect(send.responses['202']).toBeDefined();
    expect(send.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['sessionId', 'idempotency-key']),
    );
    const error =
      doc.paths['/v1/sessions/{sessionId}'].get.responses['404'].content['application/json'].schema;
    expect(error.$ref).toBe('#/components/schemas/Error');
    expect(doc.components.schemas.Error.required).toEqual(['statusCode', 'code', 'error', 'message']);
    // core's contracts are named components, referenced wherever they appear
    expect(
      doc.paths['/v1/sessions/{sessionId}'].get.responses['200'].content['application/json'].schema,
    ).toEqual({
      $ref: '#/components/schemas/SessionView',
    });
    const received = doc.webhooks['message.received'].post.requestBody.content['application/json'].schema;
    expect(received.properties.data.properties.message).toEqual({ $ref: '#/components/schemas/Message' });
  });

  it('documents every event type under webhooks, plugins included', () => {
    const types = Object.keys(t.app.gateway.eventSchemas).sort();
    expect(Object.keys(doc.webhooks)).toEqual(types);
    expect(types).toEqual(expect.arrayContaining(['message.received', 'session.status', 'echo.pinged']));
    const schema = doc.webhooks['message.received'].post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['id', 'type', 'sessionId', 'occurredAt', 'data']);
  });

  it('is written deterministically by the openapi script', async () => {
    const first = await openapiDocument([echoPlugin()]);
    const second = await openapiDocument([echoPlugin()]);
    expect(first).toBe(second);
    expect(JSON.parse(first).paths['/v1/sessions/{sessionId}/echo']).toBeDefined();
  });

  it('is committed current: openapi.json is what the server generates (run `pnpm --filter @zapgate/server openapi`)', async () => {
    const committed = await readFile(new URL('../openapi.json', import.meta.url), 'utf8');
    expect(await openapiDocument()).toBe(committed);
  });
});
