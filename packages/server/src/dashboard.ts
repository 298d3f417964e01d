import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { dashboardDir } from '@zapgate/dashboard';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './error-handler.js';

/** Options of {@link dashboardRoutes}. */
export interface DashboardRoutesOptions {
  /** Directory holding the built dashboard (`index.html`, `assets/`). @default the files of `@zapgate/dashboard` */
  root?: string;
}

/**
 * The dashboard's Content-Security-Policy: only the page's own files run or style it; images may
 * be data URLs (QR codes) or blobs (media previews fetched with the API key); the API is
 * same-origin.
 */
export const dashboardCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed build outputs never change under the same name; everything else is revalidated. */
function cacheControl(file: string): string {
  return /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * Serves the built dashboard at `/` (hidden from OpenAPI). Only files that exist at boot are
 * routed (no wildcard), so API 404s stay JSON. When the files are missing the page answers
 * `503 DASHBOARD_NOT_BUILT` instead of failing the boot. Encapsulated (not `fastify-plugin`), so
 * its `sendFile` decoration does not meet the docs UI's own static server.
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardRoutesOptions = {}) {
  const root = options.root ?? dashboardDir;
  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ root }, 'dashboard files not found; build them with `pnpm build`');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .status(503)
        .send(errorBody(503, 'DASHBOARD_NOT_BUILT', `The dashboard is not built (no index.html in ${root})`)),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    schemaHide: true,
    setHeaders(reply, file) {
      reply.header('cache-control', cacheControl(file));
      reply.header('content-security-policy', dashboardCsp);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    },
  });
}
