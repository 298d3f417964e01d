import type { FastifyInstance, FastifyReply } from 'fastify';
import { deleteMessage, type NewMessage, postMessage, type UploadedFile } from '../messages.js';
import { messageJson } from '../serialize.js';
import type { MessageRow, MessageStatus } from '../state.js';
import { type ApiContext, idOf, notFound, type Params } from './context.js';

/** A parsed multipart body: text fields, and files by field name. */
export interface MultipartBody {
  multipart: true;
  fields: Record<string, string>;
  files: Record<string, UploadedFile[]>;
}

type JsonBody = {
  content?: string;
  message_type?: 'outgoing' | 'incoming';
  private?: boolean;
  source_id?: string;
  content_attributes?: Record<string, unknown>;
};

/** The message a request asks for (multipart fields are strings; the validator has checked them). */
function newMessageOf(body: JsonBody | MultipartBody): Omit<NewMessage, 'sender'> {
  if ('multipart' in body) {
    const { fields } = body;
    return {
      content: fields.content ?? null,
      messageType: (fields.message_type as NewMessage['messageType']) ?? 'outgoing',
      private: fields.private === 'true',
      sourceId: fields.source_id ?? null,
      contentAttributes: fields.content_attributes ? JSON.parse(fields.content_attributes) : {},
      attachments: body.files['attachments[]'] ?? [],
    };
  }
  return {
    content: body.content ?? null,
    messageType: body.message_type ?? 'outgoing',
    private: body.private ?? false,
    sourceId: body.source_id ?? null,
    contentAttributes: body.content_attributes ?? {},
  };
}

export function messageRoutes(app: FastifyInstance, ctx: ApiContext, prefix: string): void {
  const { state } = ctx;
  const json = (message: MessageRow) => messageJson(state, ctx.baseUrl(), message);
  const conversationOf = (params: Params) => state.conversations.get(idOf(params, 'id'));
  const messageOf = (params: Params, reply: FastifyReply) => {
    const message = state.messages.get(idOf(params, 'messageId'));
    if (!message || message.conversationId !== idOf(params, 'id')) notFound(reply);
    else return message;
  };

  app.get<{ Params: Params }>(`${prefix}/conversations/:id/messages`, async (request, reply) => {
    const conversation = conversationOf(request.params);
    if (!conversation) return notFound(reply);
    return { meta: {}, payload: state.messagesOf(conversation.id).slice(-20).map(json) };
  });

  app.post<{ Params: Params; Body: JsonBody | MultipartBody }>(
    `${prefix}/conversations/:id/messages`,
    async (request, reply) => {
      const conversation = conversationOf(request.params);
      if (!conversation) return notFound(reply);
      const input = newMessageOf(request.body);
      // API-created outgoing messages are written by the token's user; incoming ones by the contact.
      const sender: NewMessage['sender'] =
        input.messageType === 'incoming'
          ? { type: 'contact', id: conversation.contactId }
          : { type: 'user', agent: state.agent };
      const message = postMessage(ctx, conversation, { ...input, sender });
      void ctx.events.messageCreated(message);
      return json(message);
    },
  );

  // MessagesController#update: status only, API inboxes only.
  app.patch<{ Params: Params; Body: { status: MessageStatus; external_error?: string } }>(
    `${prefix}/conversations/:id/messages/:messageId`,
    async (request, reply) => {
      const message = messageOf(request.params, reply);
      if (!message) return reply;
      message.status = request.body.status;
      if (request.body.external_error !== undefined) {
        message.contentAttributes = {
          ...message.contentAttributes,
          external_error: request.body.external_error,
        };
      }
      void ctx.events.messageUpdated(message);
      return json(message);
    },
  );

  app.delete<{ Params: Params }>(
    `${prefix}/conversations/:id/messages/:messageId`,
    async (request, reply) => {
      const message = messageOf(request.params, reply);
      if (!message) return reply;
      void ctx.events.messageUpdated(deleteMessage(ctx, message));
      return json(message);
    },
  );
}
