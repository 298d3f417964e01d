import type { FastifyInstance } from 'fastify';
import { conversationJson } from '../serialize.js';
import type { ConversationRow, ConversationStatus } from '../state.js';
import { type ApiContext, idOf, invalid, notFound, type Params } from './context.js';

type CreateBody = {
  source_id: string;
  inbox_id: number;
  contact_id?: number;
  status?: 'open' | 'resolved' | 'pending';
  custom_attributes?: Record<string, unknown>;
  additional_attributes?: Record<string, unknown>;
};

export function conversationRoutes(app: FastifyInstance, ctx: ApiContext, prefix: string): void {
  const { state } = ctx;
  const json = (conversation: ConversationRow) => conversationJson(state, ctx.baseUrl(), conversation);

  // ConversationBuilder: the contact inbox is found by (inbox, source_id), or made for contact_id.
  app.post<{ Body: CreateBody }>(`${prefix}/conversations`, async (request, reply) => {
    const body = request.body;
    const inbox = state.inboxes.get(body.inbox_id);
    if (!inbox) return notFound(reply);
    let contactInbox = [...state.contactInboxes.values()].find(
      (row) => row.inboxId === inbox.id && row.sourceId === body.source_id,
    );
    if (!contactInbox && body.contact_id !== undefined) {
      if (!state.contacts.has(body.contact_id)) return notFound(reply);
      contactInbox = state.addContactInbox(body.contact_id, inbox.id, body.source_id);
    }
    if (!contactInbox) return invalid(reply, 'Contact inbox could not be found', ['source_id']);
    const now = new Date();
    const conversation: ConversationRow = {
      id: state.nextId('conversation'),
      inboxId: inbox.id,
      contactId: contactInbox.contactId,
      contactInboxId: contactInbox.id,
      status: body.status ?? 'open',
      customAttributes: body.custom_attributes ?? {},
      additionalAttributes: body.additional_attributes ?? {},
      createdAt: now,
      updatedAt: now,
    };
    state.conversations.set(conversation.id, conversation);
    void ctx.events.conversationCreated(conversation);
    return json(conversation);
  });

  app.get<{ Params: Params }>(`${prefix}/conversations/:id`, async (request, reply) => {
    const conversation = state.conversations.get(idOf(request.params, 'id'));
    return conversation ? json(conversation) : notFound(reply);
  });

  app.post<{ Params: Params; Body: { status: ConversationStatus } }>(
    `${prefix}/conversations/:id/toggle_status`,
    async (request, reply) => {
      const conversation = state.conversations.get(idOf(request.params, 'id'));
      if (!conversation) return notFound(reply);
      const previous = conversation.status;
      conversation.status = request.body.status;
      if (previous !== conversation.status) void ctx.events.statusChanged(conversation, previous);
      return {
        meta: {},
        payload: { success: true, conversation_id: conversation.id, current_status: conversation.status },
      };
    },
  );
}
