import { readFile } from 'node:fs/promises';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { renderSchema } from '../scripts/render-schema.js';

const documentPath = new URL('../../server/openapi.json', import.meta.url);
const schemaPath = new URL('../src/schema.d.ts', import.meta.url);

// That openapi.json itself is current is tested in @zapgate/server (the SDK does not depend on it).
describe('generated artefacts are current', () => {
  it('the committed schema.d.ts is what openapi-typescript generates (run `pnpm --filter @zapgate/sdk generate`)', async () => {
    const document = JSON.parse(await readFile(documentPath, 'utf8'));
    expect(await renderSchema(document)).toBe(await readFile(schemaPath, 'utf8'));
  });

  it('passes the Redocly linter (recommended rules) with zero errors', async () => {
    const source = await readFile(documentPath, 'utf8');
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  });

  it('covers every route with a unique operationId and documents every event', async () => {
    const document = JSON.parse(await readFile(documentPath, 'utf8'));
    const operationIds = Object.values(
      document.paths as Record<string, Record<string, { operationId?: string }>>,
    ).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(operationIds.every(Boolean)).toBe(true);
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(Object.keys(document.webhooks)).toEqual(
      expect.arrayContaining(['message.received', 'message.status', 'session.status', 'session.qr']),
    );
  });
});
