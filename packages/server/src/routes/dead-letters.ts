import { Type } from '@sinclair/typebox';
import { DeadLetter, DeadLetterKind, Page } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses } from '../schemas.js';

const tags = ['admin'];
const DeadLetterParams = Type.Object({
  deadLetterId: Type.String({ format: 'uuid', description: 'Dead letter id' }),
});
const DeadLetterQuery = Type.Object({
  kind: Type.Optional(DeadLetterKind),
  pluginId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only this plugin’s' })),
  sessionId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this session’s' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ description: '`nextCursor` of the previous page' })),
});
const Retried = Type.Object({ retried: Type.Literal(true) });

/**
 * Work given up after its last attempt, one view over both kinds: plugin jobs (`kind: job`,
 * `payload` `{ payload, lane, key, group }`, `error` the last one) and events a plugin's
 * handler kept failing on (`kind: event`, `payload` the whole envelope). Admin only.
 */
export function deadLetterRoutes(app: ZapgateInstance, ctx: RouteContext) {
  const { deadLetters } = ctx.gateway;
  app.get(
    '/admin/dead-letters',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listDeadLetters',
        summary: 'List dead letters',
        description:
          'Dead jobs and dead events of every plugin, newest first, filtered by kind, plugin and session; pass `nextCursor` as `cursor`.',
        tags,
        querystring: DeadLetterQuery,
        response: responses({ 200: Page(DeadLetter) }),
      },
    },
    async (request) => {
      const { kind, pluginId, sessionId, limit, cursor } = request.query;
      return deadLetters.list({
        limit: limit ?? 50,
        ...(kind ? { kind } : {}),
        ...(pluginId ? { pluginId } : {}),
        ...(sessionId ? { sessionId } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.get(
    '/admin/dead-letters/:deadLetterId',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'getDeadLetter',
        summary: 'Get a dead letter',
        description: 'One dead job or dead event with its payload, last error and attempts.',
        tags,
        params: DeadLetterParams,
        response: responses({ 200: DeadLetter }, [404]),
      },
    },
    async (request) => deadLetters.get(request.params.deadLetterId),
  );

  app.post(
    '/admin/dead-letters/:deadLetterId/retry',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'retryDeadLetter',
        summary: 'Retry a dead letter',
        description:
          'A job is queued again with fresh attempts (same payload, lane, key and group) and the letter removed. An event is handed to its plugin’s handlers once more, now: when they fail again the answer is 409 `DEAD_LETTER_RETRY_FAILED` and the letter is kept.',
        tags,
        params: DeadLetterParams,
        response: responses({ 202: Retried }, [404, 409]),
      },
    },
    async (request, reply) => {
      await deadLetters.retry(request.params.deadLetterId);
      return reply.status(202).send({ retried: true });
    },
  );

  app.delete(
    '/admin/dead-letters/:deadLetterId',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'deleteDeadLetter',
        summary: 'Delete a dead letter',
        description: 'Discards it for good.',
        tags,
        params: DeadLetterParams,
        response: responses({ 204: NoContent }, [404]),
      },
    },
    async (request, reply) => {
      await deadLetters.delete(request.params.deadLetterId);
      return reply.status(204).send();
    },
  );
}
