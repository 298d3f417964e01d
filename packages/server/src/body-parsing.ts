import { GatewayError } from '@zapgate/core';
import type { FastifyInstance } from 'fastify';
import { keepRawJson } from './forwarding.js';

const wellFormed = (text: string) => (text as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Where a parsed JSON value holds a lone UTF-16 surrogate (`"\ud800"` is valid JSON but not
 * Unicode, and Postgres refuses it in `jsonb`), as `body.headers` or `body.headers (a key)`;
 * null when every string and key is well formed.
 */
export function loneSurrogateAt(value: unknown, path = 'body'): string | null {
  if (typeof value === 'string') return wellFormed(value) ? null : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = loneSurrogateAt(item, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!wellFormed(key)) return `${path} (a key)`;
      const found = loneSurrogateAt(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The API's JSON body parser: Fastify's own (prototype-poisoning keys refused), plus an
 * empty body read as no body (a `POST` with `Content-Type: application/json` and nothing
 * else is valid where the body is optional), and text that is not valid Unicode refused with
 * `400 INVALID_UNICODE` before it can reach storage.
 */
export function jsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    parse(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const at = loneSurrogateAt(value);
      if (at) {
        return done(
          new GatewayError(
            'INVALID_UNICODE',
            `${at} holds a lone UTF-16 surrogate (not valid Unicode); send well-formed text`,
            { statusCode: 400 },
          ),
          undefined,
        );
      }
      keepRawJson(request, body as string);
      done(null, value);
    });
  });
}
