import { Type } from '@sinclair/typebox';
import { Chat, ChatId, Page } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses, SessionParams } from '../schemas.js';

const tags = ['chats'];
const ChatParams = Type.Object({
  sessionId: SessionParams.properties.sessionId,
  chatId: ChatId(),
});

/** Chat queries and read receipts. */
export function chatRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  app.get(
    '/sessions/:sessionId/chats',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'listChats',
        summary: 'List chats',
        description: 'Most recent activity first.',
        tags,
        params: SessionParams,
        querystring: Type.Object({
          archived: Type.Optional(Type.Boolean()),
          unread: Type.Optional(Type.Boolean({ description: 'Only chats with unread messages' })),
          isGroup: Type.Optional(Type.Boolean()),
          cursor: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: responses({ 200: Page(Chat) }, [404]),
      },
    },
    async (request) => {
      const { archived, unread, isGroup, cursor, limit } = request.query;
      return gateway.directory.listChats(request.params.sessionId, {
        limit,
        ...(archived !== undefined ? { archived } : {}),
        ...(unread !== undefined ? { unread } : {}),
        ...(isGroup !== undefined ? { isGroup } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.get(
    '/sessions/:sessionId/chats/:chatId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getChat',
        summary: 'Get a chat',
        tags,
        params: ChatParams,
        response: responses({ 200: Chat }, [404]),
      },
    },
    async (request) => gateway.directory.getChat(request.params.sessionId, request.params.chatId),
  );

  app.post(
    '/sessions/:sessionId/chats/:chatId/read',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'markChatRead',
        summary: 'Mark messages read',
        description:
          'Sends read receipts for the given messages, or for the latest inbound ones of the chat.',
        tags,
        params: ChatParams,
        body: Type.Object({
          messageIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100 })),
        }),
        response: responses({ 204: NoContent }, [404, 409, 502, 504]),
      },
    },
    async (request, reply) => {
      await gateway.messages.markRead(
        request.params.sessionId,
        request.params.chatId,
        request.body?.messageIds,
      );
      return reply.status(204).send();
    },
  );
}
