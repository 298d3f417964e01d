import { type CallOptions, type ChatwootConnection, call } from './http.js';
import type {
  ChatwootContact,
  ChatwootContactInbox,
  ChatwootConversation,
  ChatwootConversationStatus,
  ChatwootInbox,
  ChatwootMessage,
  ChatwootMessageStatus,
  ChatwootUpload,
  NewChatwootMessage,
} from './types.js';

/** Fields of a contact the bridge writes. */
export interface ContactFields {
  name?: string;
  identifier?: string;
  phoneNumber?: string;
  email?: string;
  avatarUrl?: string;
  customAttributes?: Record<string, unknown>;
}

const contactBody = (fields: ContactFields) => ({
  ...(fields.name !== undefined ? { name: fields.name } : {}),
  ...(fields.identifier !== undefined ? { identifier: fields.identifier } : {}),
  ...(fields.phoneNumber !== undefined ? { phone_number: fields.phoneNumber } : {}),
  ...(fields.email !== undefined ? { email: fields.email } : {}),
  ...(fields.avatarUrl !== undefined ? { avatar_url: fields.avatarUrl } : {}),
  ...(fields.customAttributes !== undefined ? { custom_attributes: fields.customAttributes } : {}),
});

const messageBody = (message: NewChatwootMessage) => ({
  ...(message.content != null ? { content: message.content } : {}),
  message_type: message.messageType,
  private: message.private ?? false,
  ...(message.sourceId !== undefined ? { source_id: message.sourceId } : {}),
  ...(message.contentAttributes ? { content_attributes: message.contentAttributes } : {}),
});

type Signal = Pick<CallOptions, 'signal'>;

/**
 * A typed client of Chatwoot's Application API (the endpoints the bridge uses), over any
 * `fetch`. Failures are `GatewayError`s with a `CHATWOOT_*` code and a {@link ChatwootFailure}
 * as `details`: `retryable` (5xx, 429, timeouts, with `Retry-After`) or `fatal` (a refused
 * token, a missing inbox).
 *
 * @example
 * const chatwoot = chatwootClient({ url: 'https://chat.example.com', accountId: 1, token });
 * const { payload } = await chatwoot.contacts.search('+5511999990000');
 */
export function chatwootClient(connection: ChatwootConnection) {
  const get = <T>(path: string, operation: string, options?: CallOptions) =>
    call<T>(connection, 'GET', path, operation, options);
  const send = <T>(method: string, path: string, operation: string, options?: CallOptions) =>
    call<T>(connection, method, path, operation, options);

  return {
    inboxes: {
      list: (o?: Signal) => get<{ payload: ChatwootInbox[] }>('/inboxes', 'GET /inboxes', o),
      get: (id: number, o?: Signal) =>
        get<ChatwootInbox>(`/inboxes/${id}`, 'GET /inboxes/{id}', { ...o, notFound: 'inbox' }),
      /** Creates an API-channel inbox whose webhooks go to `webhookUrl`. */
      create: (input: { name: string; webhookUrl: string }, o?: Signal) =>
        send<ChatwootInbox>('POST', '/inboxes', 'POST /inboxes', {
          ...o,
          json: { name: input.name, channel: { type: 'api', webhook_url: input.webhookUrl } },
        }),
      update: (id: number, input: { name?: string; webhookUrl?: string }, o?: Signal) =>
        send<ChatwootInbox>('PATCH', `/inboxes/${id}`, 'PATCH /inboxes/{id}', {
          ...o,
          notFound: 'inbox',
          json: {
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.webhookUrl !== undefined ? { channel: { webhook_url: input.webhookUrl } } : {}),
          },
        }),
    },
    contacts: {
      /** Contacts whose name, email, phone number or identifier contain `q` (15 per page). */
      search: (q: string, page = 1, o?: Signal) =>
        get<{ payload: ChatwootContact[] }>('/contacts/search', 'GET /contacts/search', {
          ...o,
          query: { q, page },
        }),
      get: (id: number, o?: Signal) =>
        get<{ payload: ChatwootContact }>(`/contacts/${id}`, 'GET /contacts/{id}', o),
      /** Creates a contact already known to `inboxId` (its contact inbox is in the answer). */
      create: (inboxId: number, fields: ContactFields, o?: Signal) =>
        send<{ payload: { contact: ChatwootContact; contact_inbox: ChatwootContactInbox } }>(
          'POST',
          '/contacts',
          'POST /contacts',
          { ...o, notFound: 'inbox', json: { inbox_id: inboxId, ...contactBody(fields) } },
        ),
      update: (id: number, fields: ContactFields, o?: Signal) =>
        send<{ payload: ChatwootContact }>('PUT', `/contacts/${id}`, 'PUT /contacts/{id}', {
          ...o,
          json: contactBody(fields),
        }),
      /** Makes an existing contact known to an inbox. */
      addInbox: (contactId: number, inboxId: number, sourceId?: string, o?: Signal) =>
        send<ChatwootContactInbox>(
          'POST',
          `/contacts/${contactId}/contact_inboxes`,
          'POST /contacts/{id}/contact_inboxes',
          {
            ...o,
            json: { inbox_id: inboxId, ...(sourceId ? { source_id: sourceId } : {}) },
          },
        ),
      conversations: (contactId: number, o?: Signal) =>
        get<{ payload: ChatwootConversation[] }>(
          `/contacts/${contactId}/conversations`,
          'GET /contacts/{id}/conversations',
          o,
        ),
    },
    conversations: {
      create: (
        input: { sourceId: string; inboxId: number; contactId?: number; status?: 'open' | 'pending' },
        o?: Signal,
      ) =>
        send<ChatwootConversation>('POST', '/conversations', 'POST /conversations', {
          ...o,
          notFound: 'inbox',
          json: {
            source_id: input.sourceId,
            inbox_id: input.inboxId,
            ...(input.contactId !== undefined ? { contact_id: input.contactId } : {}),
            ...(input.status ? { status: input.status } : {}),
          },
        }),
      get: (id: number, o?: Signal) =>
        get<ChatwootConversation>(`/conversations/${id}`, 'GET /conversations/{id}', o),
      toggleStatus: (id: number, status: Exclude<ChatwootConversationStatus, 'snoozed'>, o?: Signal) =>
        send<{ payload: { current_status: ChatwootConversationStatus } }>(
          'POST',
          `/conversations/${id}/toggle_status`,
          'POST /conversations/{id}/toggle_status',
          { ...o, json: { status } },
        ),
    },
    messages: {
      list: (conversationId: number, o?: Signal) =>
        get<{ payload: ChatwootMessage[] }>(
          `/conversations/${conversationId}/messages`,
          'GET /conversations/{id}/messages',
          o,
        ),
      create: (conversationId: number, message: NewChatwootMessage, o?: Signal) =>
        send<ChatwootMessage>(
          'POST',
          `/conversations/${conversationId}/messages`,
          'POST /conversations/{id}/messages',
          {
            ...o,
            json: messageBody(message),
          },
        ),
      /** The same, with files (multipart); `content` is the caption. */
      createWithAttachments: (
        conversationId: number,
        message: NewChatwootMessage,
        files: readonly ChatwootUpload[],
        o?: Signal,
      ) => {
        const form = new FormData();
        for (const [key, value] of Object.entries(messageBody(message))) {
          form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
        }
        for (const file of files) {
          form.append(
            'attachments[]',
            new Blob([new Uint8Array(file.data)], { type: file.contentType }),
            file.fileName,
          );
        }
        return send<ChatwootMessage>(
          'POST',
          `/conversations/${conversationId}/messages`,
          'POST /conversations/{id}/messages (multipart)',
          { ...o, form },
        );
      },
      /** Sets a message's delivery status (Chatwoot 4.2+, API inboxes). */
      updateStatus: (
        conversationId: number,
        messageId: number,
        status: ChatwootMessageStatus,
        externalError?: string,
        o?: Signal,
      ) =>
        send<ChatwootMessage>(
          'PATCH',
          `/conversations/${conversationId}/messages/${messageId}`,
          'PATCH /conversations/{id}/messages/{message_id}',
          {
            ...o,
            json: { status, ...(externalError !== undefined ? { external_error: externalError } : {}) },
          },
        ),
      /** Marks a message deleted ("This message was deleted"; attachments removed). */
      delete: (conversationId: number, messageId: number, o?: Signal) =>
        send<ChatwootMessage>(
          'DELETE',
          `/conversations/${conversationId}/messages/${messageId}`,
          'DELETE /conversations/{id}/messages/{message_id}',
          o,
        ),
    },
  };
}

/** The client {@link chatwootClient} returns. */
export type ChatwootClient = ReturnType<typeof chatwootClient>;
