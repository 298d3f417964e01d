import { randomBytes, randomUUID } from 'node:crypto';

/** An agent of the fake account (the author of outgoing messages made in the "dashboard"). */
export interface Agent {
  id: number;
  name: string;
  email: string;
}

export interface InboxRow {
  id: number;
  name: string;
  channelId: number;
  webhookUrl: string | null;
  /** Webhook signing secret (Chatwoot 4.13+ gives every API channel one); null: unsigned deliveries. */
  secret: string | null;
  identifier: string;
  hmacToken: string;
  enableAutoAssignment: boolean;
}

export interface ContactRow {
  id: number;
  name: string;
  email: string | null;
  phoneNumber: string | null;
  identifier: string | null;
  avatarUrl: string | null;
  customAttributes: Record<string, unknown>;
  additionalAttributes: Record<string, unknown>;
  createdAt: Date;
}

export interface ContactInboxRow {
  id: number;
  contactId: number;
  inboxId: number;
  sourceId: string;
}

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';

export interface ConversationRow {
  /** The display id: what the API paths and webhooks call the conversation's id. */
  id: number;
  inboxId: number;
  contactId: number;
  contactInboxId: number;
  status: ConversationStatus;
  customAttributes: Record<string, unknown>;
  additionalAttributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type MessageType = 'incoming' | 'outgoing' | 'activity' | 'template';
export type MessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface AttachmentRow {
  id: number;
  messageId: number;
  fileType: 'image' | 'audio' | 'video' | 'file';
  fileName: string;
  contentType: string;
  data: Buffer;
  /** Path of the file on the fake (`/rails/active_storage/...`). */
  key: string;
}

export interface MessageRow {
  id: number;
  conversationId: number;
  inboxId: number;
  content: string | null;
  messageType: MessageType;
  private: boolean;
  sourceId: string | null;
  contentAttributes: Record<string, unknown>;
  status: MessageStatus;
  createdAt: Date;
  attachments: AttachmentRow[];
  /** Who wrote it: the conversation's contact (incoming), an agent, or nobody (API-created outgoing). */
  sender: { type: 'contact'; id: number } | { type: 'user'; agent: Agent } | null;
}

/** Everything the fake Chatwoot holds for its one account, in memory. */
export class ChatwootState {
  readonly inboxes = new Map<number, InboxRow>();
  readonly contacts = new Map<number, ContactRow>();
  readonly contactInboxes = new Map<number, ContactInboxRow>();
  readonly conversations = new Map<number, ConversationRow>();
  readonly messages = new Map<number, MessageRow>();
  readonly attachments = new Map<string, AttachmentRow>();
  readonly agent: Agent = { id: 1, name: 'Alice Agent', email: 'alice@example.test' };
  private ids = {
    inbox: 0,
    channel: 0,
    contact: 0,
    contactInbox: 0,
    conversation: 0,
    message: 0,
    attachment: 0,
  };

  constructor(readonly accountId: number) {}

  nextId(kind: keyof ChatwootState['ids']): number {
    this.ids[kind] += 1;
    return this.ids[kind];
  }

  addInbox(name: string, webhookUrl: string | null, signed: boolean): InboxRow {
    const inbox: InboxRow = {
      id: this.nextId('inbox'),
      name,
      channelId: this.nextId('channel'),
      webhookUrl,
      secret: signed ? randomBytes(24).toString('base64url') : null,
      identifier: randomBytes(12).toString('base64url'),
      hmacToken: randomBytes(12).toString('base64url'),
      enableAutoAssignment: true,
    };
    this.inboxes.set(inbox.id, inbox);
    return inbox;
  }

  addContactInbox(contactId: number, inboxId: number, sourceId?: string): ContactInboxRow {
    const row: ContactInboxRow = {
      id: this.nextId('contactInbox'),
      contactId,
      inboxId,
      sourceId: sourceId ?? randomUUID(),
    };
    this.contactInboxes.set(row.id, row);
    return row;
  }

  contactInboxesOf(contactId: number): ContactInboxRow[] {
    return [...this.contactInboxes.values()].filter((row) => row.contactId === contactId);
  }

  messagesOf(conversationId: number): MessageRow[] {
    return [...this.messages.values()].filter((m) => m.conversationId === conversationId);
  }
}
