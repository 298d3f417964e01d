import type { SwaggerOptions } from '@fastify/swagger';
import type { TSchema } from '@sinclair/typebox';
import {
  Chat,
  Contact,
  coreVersion,
  EventEnvelope,
  Group,
  MediaInfo,
  Message,
  MessageMetadata,
  SendMessageBody,
  Session,
  SessionQr,
  SessionSettings,
} from '@zapgate/core';
import { hoistComponents } from './openapi-components.js';
import { MultipartSend } from './routes/messages.js';
import { SessionView } from './routes/sessions.js';
import { ErrorResponse } from './schemas.js';

/** Options of {@link openapiOptions}. */
export interface OpenapiOptions {
  /** Event type → payload schema (`gateway.eventSchemas`), documented under `webhooks`. */
  eventSchemas: Readonly<Record<string, TSchema>>;
  /** Base URL of the server, listed under `servers`. @default 'http://localhost:3000' (the default local address) */
  publicUrl?: string;
}

const tags = [
  { name: 'sessions', description: 'Pair WhatsApp accounts and manage their lifecycle' },
  { name: 'messages', description: 'Send and query messages' },
  { name: 'chats', description: 'Conversations' },
  { name: 'contacts', description: 'Known WhatsApp users' },
  { name: 'events', description: 'The event stream (payloads are listed under webhooks)' },
  { name: 'admin', description: 'Operator tasks (admin key only)' },
  { name: 'health', description: 'Liveness, readiness and metrics' },
];

const camel = (type: string) => type.replace(/[._-](\w)/g, (_, c: string) => c.toUpperCase());

/** One `webhooks` entry per event type: the envelope and its payload, in a stable order. */
export function eventWebhooks(eventSchemas: Readonly<Record<string, TSchema>>) {
  return Object.fromEntries(
    Object.keys(eventSchemas)
      .sort()
      .map((type) => [
        type,
        {
          post: {
            operationId: `${camel(type)}Event`,
            summary: `Event \`${type}\``,
            description: `Delivered as SSE on \`GET /v1/events\` (\`event: ${type}\`) and by the webhooks plugin.`,
            tags: ['events'],
            requestBody: {
              required: true,
              content: { 'application/json': { schema: EventEnvelope(type, eventSchemas[type] as TSchema) } },
            },
            responses: { '200': { description: 'Acknowledged (any 2xx)' } },
          },
        },
      ]),
  );
}

/** `@fastify/swagger` options: OpenAPI 3.1, security schemes, tags, webhooks, multipart sends. */
export function openapiOptions(options: OpenapiOptions): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Zapgate API',
        version: coreVersion,
        description:
          'REST API of a Zapgate WhatsApp gateway. Authenticate with the admin key or a session key, as ' +
          '`Authorization: Bearer <key>` or `x-api-key: <key>`. Errors are `{ statusCode, code, error, message }`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [
        options.publicUrl
          ? { url: options.publicUrl }
          : { url: 'http://localhost:3000', description: 'A local server on the default port' },
      ],
      tags,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'The admin key or a session key (`zgs_…`)',
          },
          apiKeyHeader: {
            type: 'apiKey',
            in: 'header',
            name: 'x-api-key',
            description: 'Same keys as bearerAuth',
          },
        },
      },
      security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
      // biome-ignore lint/suspicious/noExplicitAny: swagger's types predate OpenAPI 3.1 webhooks
      webhooks: eventWebhooks(options.eventSchemas) as any,
    },
    transformObject: (documentObject) =>
      hoistComponents((documentObject as { openapiObject: Record<string, unknown> }).openapiObject, {
        Session,
        SessionView,
        SessionSettings,
        SessionQr,
        Message,
        MediaInfo,
        MessageMetadata,
        SendMessageBody,
        Chat,
        Contact,
        Group,
        Error: ErrorResponse,
      }) as never,
    transform({ schema, url, route }) {
      if (!schema) return { schema, url };
      // who may call the operation (`admin`, `session`: admin or that session's key, `public`), for the docs
      const documented = { ...schema, 'x-zapgate-auth': route.config?.auth ?? 'admin' };
      if (!route.config?.multipart || !schema.body) return { schema: documented, url };
      const body = schema.body;
      return {
        schema: {
          ...documented,
          body: {
            content: {
              'application/json': { schema: body },
              'multipart/form-data': { schema: MultipartSend },
            },
          },
        },
        url,
      };
    },
  };
}
