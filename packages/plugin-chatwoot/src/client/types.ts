// The parts of Chatwoot's Application API answers the bridge reads (Chatwoot sends more).

/** An inbox (`GET /inboxes`); the bridge uses API-channel inboxes. */
export interface ChatwootInbox {
  id: number;
  name: string;
  channel_type: string;
  webhook_url?: string | null;
  /** The webhook signing secret of an API channel (Chatwoot 4.13+, shown to admins). */
  secret?: string | null;
}

/** How a contact is known to one inbox; `source_id` identifies it when creating conversations. */
export interface ChatwootContactInbox {
  source_id: string;
  inbox: { id: number };
}

export interface ChatwootContact {
  id: number;
  name: string | null;
  email: string | null;
  phone_number: string | null;
  /** The bridge stores the WhatsApp JID here. */
  identifier: string | null;
  custom_attributes?: Record<string, unknown>;
  contact_inboxes?: ChatwootContactInbox[];
}

export type ChatwootConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';

export interface ChatwootConversation {
  /** The display id: what paths and webhooks call the conversation's id. */
  id: number;
  inbox_id: number;
  status: ChatwootConversationStatus;
}

export interface ChatwootAttachment {
  id: number;
  message_id: number;
  /** `image`, `audio`, `video`, `file`, `location`, `fallback`… */
  file_type: string;
  data_url: string;
  extension?: string | null;
  file_size?: number;
}

/** A message (API answers give `message_type` as a number, webhooks as a string). */
export interface ChatwootMessage {
  id: number;
  content: string | null;
  message_type: number | 'incoming' | 'outgoing' | 'activity' | 'template';
  private: boolean;
  source_id: string | null;
  status?: 'sent' | 'delivered' | 'read' | 'failed';
  content_attributes?: Record<string, unknown>;
  attachments?: ChatwootAttachment[];
}

/** Status of a message as the bridge reports it (Chatwoot 4.2+, API inboxes). */
export type ChatwootMessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** What a new message is made of. */
export interface NewChatwootMessage {
  content?: string | null;
  /** `incoming`: from the contact; `outgoing`: from the business (an agent, or the phone itself). */
  messageType: 'incoming' | 'outgoing';
  /** A private note (only agents see it). @default false */
  private?: boolean;
  /** The external id; the bridge uses `WAID:<WhatsApp message id>`. */
  sourceId?: string;
  /** `in_reply_to` (a Chatwoot message id), `is_reaction`… */
  contentAttributes?: Record<string, unknown>;
}

/** A file to attach. */
export interface ChatwootUpload {
  fileName: string;
  contentType: string;
  data: Uint8Array;
}
