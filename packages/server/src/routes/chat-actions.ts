import { Type } from '@sinclair/typebox';
import { Chat, ChatId, Timestamp } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses, SessionParams } from '../schemas.js';

const tags = ['chats'];
const ChatParams = Type.Object({
  sessionId: SessionParams.properties.sessionId,
  chatId: ChatId(),
});
const errors = [404, 409, 502, 504];

/** Chat actions that go through WhatsApp: archive, pin, mute, unread, delete, presence. */
export function chatActionRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  const toggle = (
    path: string,
    operationId: string,
    summary: string,
    field: string,
    run: (sessionId: string, chatId: string, value: boolean) => Promise<Chat>,
  ) =>
    app.post(
      `/sessions/:sessionId/chats/:chatId/${path}`,
      {
        config: { auth: 'session' },
        schema: {
          operationId,
          summary,
          tags,
          params: ChatParams,
          body: Type.Object({ [field]: Type.Boolean({ default: true }) }),
          response: responses({ 200: Chat }, errors),
        },
      },
      async (request) =>
        run(
          request.params.sessionId,
          request.params.chatId,
          (request.body as Record<string, boolean>)[field] ?? true,
        ),
    );

  toggle('archive', 'archiveChat', 'Archive or unarchive a chat', 'archived', gateway.chats.archive);
  toggle('pin', 'pinChat', 'Pin or unpin a chat', 'pinned', gateway.chats.pin);
  toggle('unread', 'markChatUnread', 'Mark a chat unread (or read)', 'unread', gateway.chats.markUnread);

  app.post(
    '/sessions/:sessionId/chats/:chatId/mute',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'muteChat',
        summary: 'Mute a chat until a time, or unmute it with `until: null`',
        tags,
        params: ChatParams,
        body: Type.Object({ until: Type.Union([Timestamp, Type.Null()]) }),
        response: responses({ 200: Chat }, errors),
      },
    },
    async (request) =>
      gateway.chats.mute(request.params.sessionId, request.params.chatId, request.body.until),
  );

  app.delete(
    '/sessions/:sessionId/chats/:chatId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'deleteChat',
        summary: 'Delete a chat (on the phone and here)',
        tags,
        params: ChatParams,
        response: responses({ 204: NoContent }, errors),
      },
    },
    async (request, reply) => {
      await gateway.chats.delete(request.params.sessionId, request.params.chatId);
      return reply.status(204).send();
    },
  );

  app.post(
    '/sessions/:sessionId/presence',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'sendPresence',
        summary: 'Send presence',
        description:
          '`composing`/`recording`/`paused` need a `chatId`; `available`/`unavailable` are global.',
        tags,
        params: SessionParams,
        body: Type.Object({
          chatId: Type.Optional(ChatId()),
          presence: Type.Union(
            ['available', 'unavailable', 'composing', 'recording', 'paused'].map((p) => Type.Literal(p)),
          ),
        }),
        response: responses({ 204: NoContent }, errors),
      },
    },
    async (request, reply) => {
      const { chatId, presence } = request.body;
      await gateway.chats.presence(
        request.params.sessionId,
        chatId ?? null,
        presence as Parameters<typeof gateway.chats.presence>[2],
      );
      return reply.status(204).send();
    },
  );
}
