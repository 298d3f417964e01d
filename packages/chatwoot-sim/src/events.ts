import { conversationPushData, messageWebhookData } from './serialize.js';
import type { ChatwootState, ConversationRow, MessageRow } from './state.js';
import type { Delivery, DeliveryOverrides, WebhookSender } from './webhooks.js';

/**
 * The webhooks an API inbox receives (WebhookListener → the channel's webhook_url), shaped as
 * Chatwoot shapes them: message events carry `Message#webhook_data`, conversation events
 * `Conversation#webhook_data` plus `changed_attributes`, typing events the conversation, the
 * user and `is_private`.
 */
export class InboxEvents {
  constructor(
    private readonly state: ChatwootState,
    private readonly webhooks: WebhookSender,
    private readonly baseUrl: () => string,
  ) {}

  /** Chatwoot sends every incoming, outgoing and template message, private notes included (not activities). */
  messageCreated(message: MessageRow, overrides?: DeliveryOverrides): Promise<Delivery | null> {
    return this.message('message_created', message, overrides);
  }

  messageUpdated(message: MessageRow, overrides?: DeliveryOverrides): Promise<Delivery | null> {
    return this.message('message_updated', message, overrides);
  }

  conversationCreated(conversation: ConversationRow): Promise<Delivery | null> {
    return this.conversation('conversation_created', conversation, undefined);
  }

  statusChanged(conversation: ConversationRow, previous: string): Promise<Delivery | null> {
    return this.conversation('conversation_status_changed', conversation, [
      { status: { previous_value: previous, current_value: conversation.status } },
    ]);
  }

  conversationUpdated(
    conversation: ConversationRow,
    changed: Record<string, unknown>[],
  ): Promise<Delivery | null> {
    return this.conversation('conversation_updated', conversation, changed);
  }

  typing(conversation: ConversationRow, on: boolean, isPrivate = false): Promise<Delivery | null> {
    const { agent } = this.state;
    return this.webhooks.send(this.inboxOf(conversation.inboxId), {
      event: on ? 'conversation_typing_on' : 'conversation_typing_off',
      conversation: conversationPushData(this.state, this.baseUrl(), conversation),
      user: { id: agent.id, name: agent.name, email: agent.email, type: 'user' },
      is_private: isPrivate,
    });
  }

  private message(event: string, message: MessageRow, overrides?: DeliveryOverrides) {
    if (message.messageType === 'activity') return Promise.resolve(null);
    const payload = { ...messageWebhookData(this.state, this.baseUrl(), message), event };
    return this.webhooks.send(this.inboxOf(message.inboxId), payload, overrides);
  }

  private conversation(event: string, conversation: ConversationRow, changed: unknown) {
    const payload = {
      ...conversationPushData(this.state, this.baseUrl(), conversation),
      event,
      ...(changed ? { changed_attributes: changed } : {}),
    };
    return this.webhooks.send(this.inboxOf(conversation.inboxId), payload);
  }

  private inboxOf(id: number) {
    return this.state.inboxes.get(id) ?? ({ id, name: '', webhookUrl: null, secret: null } as never);
  }
}
