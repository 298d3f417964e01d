import { Type } from '@sinclair/typebox';
import type { ZapgateInstance } from '../context.js';
import { responses } from '../schemas.js';

const Caller = Type.Union([
  Type.Object({ scope: Type.Literal('admin') }),
  Type.Object({ scope: Type.Literal('session'), sessionId: Type.String({ format: 'uuid' }) }),
]);

/** `GET /v1/me`: what the presented key reaches (a client signs in with it). */
export function callerRoutes(app: ZapgateInstance) {
  app.get(
    '/me',
    {
      config: { auth: 'authenticated' },
      schema: {
        operationId: 'getCaller',
        summary: 'Who the key is',
        description:
          'Answers `{ scope: "admin" }` for the admin key and `{ scope: "session", sessionId }` for a session key; `401` otherwise.',
        tags: ['admin'],
        response: responses({ 200: Caller }),
      },
    },
    async (request) =>
      request.auth.scope === 'session'
        ? { scope: 'session' as const, sessionId: request.auth.sessionId }
        : { scope: 'admin' as const },
  );
}
