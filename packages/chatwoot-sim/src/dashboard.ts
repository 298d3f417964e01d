import type { ApiContext } from './api/context.js';
import { deleteMessage, postMessage, type UploadedFile } from './messages.js';
import type { ConversationRow, ConversationStatus, MessageRow } from './state.js';
import type { Delivery, DeliveryOverrides } from './webhooks.js';

/** What an agent can write in the dashboard. */
export interface AgentMessage {
  content?: string;
  /** A private note (never meant for the contact). @default false */
  private?: boolean;
  attachments?: UploadedFile[];
  /** Id of the Chatwoot message this one replies to. */
  inReplyTo?: number;
  /** A reaction (`content` is the emoji) to the message `inReplyTo`, as Chatwoot 4.x sends one. @default false */
  reaction?: boolean;
}

/** The result of an agent's action: what changed and the webhook it caused (null: no webhook URL). */
export interface Action<T> {
  result: T;
  delivery: Delivery | null;
}

/** What agents do in Chatwoot's dashboard; each action sends the webhook Chatwoot would and awaits its answer. */
export class Dashboard {
  constructor(private readonly ctx: ApiContext) {}

  private conversation(id: number): ConversationRow {
    const conversation = this.ctx.state.conversations.get(id);
    if (!conversation) throw new Error(`fake Chatwoot: no conversation ${id}`);
    return conversation;
  }

  private message(id: number): MessageRow {
    const message = this.ctx.state.messages.get(id);
    if (!message) throw new Error(`fake Chatwoot: no message ${id}`);
    return message;
  }

  /** An agent's reply (or private note) in a conversation: `message_created`. */
  async reply(
    conversationId: number,
    input: AgentMessage,
    overrides?: DeliveryOverrides,
  ): Promise<Action<MessageRow>> {
    const message = postMessage(this.ctx, this.conversation(conversationId), {
      content: input.content ?? null,
      messageType: 'outgoing',
      private: input.private ?? false,
      contentAttributes: {
        ...(input.inReplyTo === undefined ? {} : { in_reply_to: input.inReplyTo }),
        ...(input.reaction ? { is_reaction: true } : {}),
      },
      attachments: input.attachments ?? [],
      sender: { type: 'user', agent: this.ctx.state.agent },
    });
    return { result: message, delivery: await this.ctx.events.messageCreated(message, overrides) };
  }

  /** Deletes a message: `message_updated` with `content_attributes.deleted`. */
  async delete(messageId: number): Promise<Action<MessageRow>> {
    const message = deleteMessage(this.ctx, this.message(messageId));
    return { result: message, delivery: await this.ctx.events.messageUpdated(message) };
  }

  /**
   * Edits a message's text (Chatwoot versions with message editing): `message_updated` with
   * `content_attributes.is_edited` and `previous_content`.
   */
  async edit(messageId: number, content: string): Promise<Action<MessageRow>> {
    const message = this.message(messageId);
    message.contentAttributes = {
      ...message.contentAttributes,
      is_edited: true,
      previous_content: message.content,
    };
    message.content = content;
    return { result: message, delivery: await this.ctx.events.messageUpdated(message) };
  }

  /** Resolves, reopens or pends a conversation: `conversation_status_changed`. */
  async setStatus(conversationId: number, status: ConversationStatus): Promise<Action<ConversationRow>> {
    const conversation = this.conversation(conversationId);
    const previous = conversation.status;
    conversation.status = status;
    return { result: conversation, delivery: await this.ctx.events.statusChanged(conversation, previous) };
  }

  /** The agent starts or stops typing: `conversation_typing_on` / `conversation_typing_off`. */
  async typing(conversationId: number, on: boolean, isPrivate = false): Promise<Action<ConversationRow>> {
    const conversation = this.conversation(conversationId);
    return { result: conversation, delivery: await this.ctx.events.typing(conversation, on, isPrivate) };
  }
}
