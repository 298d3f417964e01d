import { Type } from '@sinclair/typebox';
import {
  ChatId,
  GatewayError,
  isGatewayError,
  Message,
  MessageType,
  Page,
  SendMessageBody,
  type SendOptions,
} from '@zapgate/core';
import type { FastifyRequest } from 'fastify';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { MessageParams, rawResponse, responses, SessionParams } from '../schemas.js';

const tags = ['messages'];

const SendHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Retrying with the same key and body returns the first message; it is sent once. The same key with another body is refused (409 `IDEMPOTENCY_KEY_REUSED`)',
    }),
  ),
});

const ListQuery = Type.Object({
  chatId: Type.Optional(ChatId('Only this chat: a phone number, a JID or a LID')),
  type: Type.Optional(MessageType),
  fromMe: Type.Optional(Type.Boolean({ description: 'Only outbound (true) or inbound (false)' })),
  since: Type.Optional(
    Type.String({ format: 'date-time', description: 'Inclusive lower bound on `timestamp`' }),
  ),
  until: Type.Optional(
    Type.String({ format: 'date-time', description: 'Exclusive upper bound on `timestamp`' }),
  ),
  cursor: Type.Optional(Type.String({ description: '`nextCursor` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

/** The multipart form of a send, documented beside the JSON body. */
export const MultipartSend = Type.Object({
  body: Type.String({ description: 'The JSON send body (as for application/json); `media` may be omitted' }),
  file: Type.String({ format: 'binary', description: 'The media file' }),
});

const upload = Symbol('upload');
type WithUpload = FastifyRequest & { [upload]?: SendOptions['upload'] };

/**
 * Reads a multipart send (`file` + JSON field `body`) into the request body before validation,
 * keeping the file as the send's upload.
 */
async function readMultipart(request: FastifyRequest) {
  if (!request.isMultipart()) return;
  try {
    request.body = await readParts(request);
  } catch (error) {
    // busboy's own errors ("Boundary not found", "Unexpected end of form") are the client's
    const status = (error as { statusCode?: number }).statusCode;
    if (isGatewayError(error) || (status !== undefined && status < 500)) throw error;
    throw new GatewayError(
      'INVALID_MULTIPART',
      `The multipart body cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { statusCode: 400 },
    );
  }
}

async function readParts(request: FastifyRequest): Promise<unknown> {
  let body: unknown;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      (request as WithUpload)[upload] = {
        data,
        mimeType: part.mimetype,
        ...(part.filename ? { fileName: part.filename } : {}),
      };
    } else if (part.fieldname === 'body') {
      try {
        body = JSON.parse(String(part.value));
      } catch {
        throw new GatewayError('VALIDATION_FAILED', 'The multipart field "body" is not valid JSON');
      }
    }
  }
  if (body === undefined)
    throw new GatewayError('VALIDATION_FAILED', 'The multipart field "body" is required');
  // The upload replaces `media`; a placeholder keeps the body valid against the JSON schema.
  if ((request as WithUpload)[upload] && body && typeof body === 'object' && !('media' in body)) {
    (body as Record<string, unknown>).media = { base64: 'AA==' };
  }
  return body;
}

/** Send, list, get, edit, revoke messages and stream their media. */
export function messageRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  app.post(
    '/sessions/:sessionId/messages',
    {
      config: { auth: 'session', multipart: true },
      preValidation: readMultipart,
      schema: {
        operationId: 'sendMessage',
        summary: 'Send a message',
        description:
          'Stores the message as `pending` and sends it; its status then follows receipts (`message.status` events). ' +
          'Media come from `media.url`, `media.base64` or a `multipart/form-data` upload (fields `file` and `body`, the JSON body as text). ' +
          'When the session already has `send.maxQueued` sends (default 1000) waiting to go out, the send is refused with 429 `SEND_QUEUE_FULL` ' +
          'and a `Retry-After` header (seconds), and nothing is stored.',
        tags,
        params: SessionParams,
        headers: SendHeaders,
        body: {
          ...SendMessageBody,
          examples: [
            { type: 'text', to: '15550002222', text: 'Hello from Zapgate' },
            {
              type: 'image',
              to: '15550002222',
              media: { url: 'https://example.com/cat.jpg' },
              caption: 'A cat',
            },
          ],
        },
        response: responses({ 202: Message }, [404, 409, 413, 422, 429, 502]),
      },
    },
    async (request, reply) => {
      const uploaded = (request as WithUpload)[upload];
      const key = request.headers['idempotency-key'];
      const message = await gateway.messages.send(request.params.sessionId, request.body, {
        ...(key ? { idempotencyKey: key } : {}),
        ...(uploaded ? { upload: uploaded } : {}),
      });
      return reply.status(202).send(message);
    },
  );

  app.get(
    '/sessions/:sessionId/messages',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'listMessages',
        summary: 'List messages',
        description: 'Newest first, filtered; pass `nextCursor` as `cursor` for the next page.',
        tags,
        params: SessionParams,
        querystring: ListQuery,
        response: responses({ 200: Page(Message) }, [404]),
      },
    },
    async (request) => {
      const q = request.query;
      return gateway.messages.list(request.params.sessionId, {
        limit: q.limit,
        ...(q.chatId ? { chatId: q.chatId } : {}),
        ...(q.type ? { msgType: q.type } : {}),
        ...(q.fromMe !== undefined ? { isFromMe: q.fromMe } : {}),
        ...(q.since ? { since: q.since } : {}),
        ...(q.until ? { until: q.until } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
    },
  );

  app.get(
    '/sessions/:sessionId/messages/:messageId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getMessage',
        summary: 'Get a message',
        tags,
        params: MessageParams,
        response: responses({ 200: Message }, [404]),
      },
    },
    async (request) => gateway.messages.get(request.params.sessionId, request.params.messageId),
  );

  app.patch(
    '/sessions/:sessionId/messages/:messageId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'editMessage',
        summary: 'Edit a sent text message',
        tags,
        params: MessageParams,
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: 65536 }) },
          { examples: [{ text: 'Corrected text' }] },
        ),
        response: responses({ 200: Message }, [404, 409, 502, 504]),
      },
    },
    async (request) =>
      gateway.messages.edit(request.params.sessionId, request.params.messageId, request.body.text),
  );

  app.delete(
    '/sessions/:sessionId/messages/:messageId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'revokeMessage',
        summary: 'Delete a message for everyone',
        description: 'Revokes the message in WhatsApp; the stored row is kept with `metadata.deletedAt`.',
        tags,
        params: MessageParams,
        response: responses({ 200: Message }, [404, 409, 502, 504]),
      },
    },
    async (request) => gateway.messages.revoke(request.params.sessionId, request.params.messageId),
  );

  app.get(
    '/sessions/:sessionId/messages/:messageId/media',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getMessageMedia',
        summary: "Download a message's media",
        description:
          'Streams the stored file with its content type; `404 MEDIA_UNAVAILABLE` when it was not stored.',
        tags,
        params: MessageParams,
        response: responses(
          { 200: rawResponse('application/octet-stream', 'The media file, with its own content type') },
          [404],
        ),
      },
    },
    async (request, reply) => {
      const media = await gateway.media.read(request.params.sessionId, request.params.messageId);
      reply.type(media.mimeType || 'application/octet-stream');
      if (media.size !== undefined) reply.header('content-length', media.size);
      if (media.fileName)
        reply.header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(media.fileName)}`);
      return reply.send(media.stream);
    },
  );
}
