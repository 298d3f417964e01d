// Regenerates src/schema.d.ts from the server's committed OpenAPI document.
// Run `pnpm --filter @zapgate/server openapi` first when routes changed.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderSchema } from './render-schema.js';

const documentPath = fileURLToPath(new URL('../../server/openapi.json', import.meta.url));
const outputPath = fileURLToPath(new URL('../src/schema.d.ts', import.meta.url));

const document = JSON.parse(await readFile(documentPath, 'utf8'));
await writeFile(outputPath, await renderSchema(document));
console.log(`wrote ${outputPath}`);
