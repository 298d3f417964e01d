import type {
  AttachmentRow,
  ChatwootState,
  ContactRow,
  ConversationRow,
  InboxRow,
  MessageRow,
} from './state.js';

// The JSON shapes Chatwoot renders: API responses (jbuilder views) and webhook payloads
// (`webhook_data` / `push_event_data` of the models), with the fields the bridge relies on.

const unix = (date: Date) => Math.floor(date.getTime() / 1000);
const messageTypeNumber = { incoming: 0, outgoing: 1, activity: 2, template: 3 } as const;

export function inboxJson(inbox: InboxRow) {
  return {
    id: inbox.id,
    name: inbox.name,
    channel_id: inbox.channelId,
    channel_type: 'Channel::Api',
    avatar_url: '',
    enable_auto_assignment: inbox.enableAutoAssignment,
    webhook_url: inbox.webhookUrl ?? '',
    inbox_identifier: inbox.identifier,
    hmac_token: inbox.hmacToken,
    ...(inbox.secret ? { secret: inbox.secret } : {}),
  };
}

function contactBase(contact: ContactRow) {
  return {
    additional_attributes: contact.additionalAttributes,
    custom_attributes: contact.customAttributes,
    email: contact.email,
    id: contact.id,
    identifier: contact.identifier,
    name: contact.name,
    phone_number: contact.phoneNumber,
    thumbnail: contact.avatarUrl ?? '',
    blocked: false,
  };
}

export function contactJson(state: ChatwootState, contact: ContactRow) {
  return {
    ...contactBase(contact),
    availability_status: 'offline',
    created_at: unix(contact.createdAt),
    contact_inboxes: state.contactInboxesOf(contact.id).map((row) => ({
      source_id: row.sourceId,
      inbox: inboxJson(state.inboxes.get(row.inboxId)!),
    })),
  };
}

export const contactPushData = (contact: ContactRow) => ({ ...contactBase(contact), type: 'contact' });

export function contactWebhookData(state: ChatwootState, contact: ContactRow) {
  return {
    ...contactBase(contact),
    avatar: contact.avatarUrl ?? '',
    type: 'contact',
    account: { id: state.accountId, name: 'Acme' },
  };
}

export function attachmentJson(state: ChatwootState, baseUrl: string, attachment: AttachmentRow) {
  const url = `${baseUrl}${attachment.key}`;
  return {
    id: attachment.id,
    message_id: attachment.messageId,
    file_type: attachment.fileType,
    account_id: state.accountId,
    extension: attachment.fileName.includes('.') ? attachment.fileName.split('.').pop() : null,
    data_url: url,
    thumb_url: attachment.fileType === 'image' ? url : '',
    file_size: attachment.data.length,
  };
}

function senderOf(state: ChatwootState, message: MessageRow) {
  if (!message.sender) return null;
  if (message.sender.type === 'user') {
    const { agent } = message.sender;
    return { id: agent.id, name: agent.name, email: agent.email, type: 'user' };
  }
  return contactWebhookData(state, state.contacts.get(message.sender.id)!);
}

/** A message as the API renders it (message partial: numeric `message_type`, unix `created_at`). */
export function messageJson(state: ChatwootState, baseUrl: string, message: MessageRow) {
  return {
    id: message.id,
    content: message.content,
    inbox_id: message.inboxId,
    conversation_id: message.conversationId,
    message_type: messageTypeNumber[message.messageType],
    content_type: 'text',
    status: message.status,
    content_attributes: message.contentAttributes,
    created_at: unix(message.createdAt),
    private: message.private,
    source_id: message.sourceId,
    sender: senderOf(state, message),
    ...(message.attachments.length
      ? { attachments: message.attachments.map((a) => attachmentJson(state, baseUrl, a)) }
      : {}),
  };
}

/** A conversation as webhooks carry it (`Conversations::EventDataPresenter#push_data`). */
export function conversationPushData(state: ChatwootState, baseUrl: string, conversation: ConversationRow) {
  const contactInbox = state.contactInboxes.get(conversation.contactInboxId)!;
  const last = state.messagesOf(conversation.id).at(-1);
  return {
    additional_attributes: conversation.additionalAttributes,
    can_reply: true,
    channel: 'Channel::Api',
    contact_inbox: {
      id: contactInbox.id,
      contact_id: contactInbox.contactId,
      inbox_id: contactInbox.inboxId,
      source_id: contactInbox.sourceId,
      hmac_verified: false,
    },
    id: conversation.id,
    inbox_id: conversation.inboxId,
    messages: last ? [messageJson(state, baseUrl, last)] : [],
    labels: [],
    meta: {
      sender: contactPushData(state.contacts.get(conversation.contactId)!),
      assignee: null,
      team: null,
      hmac_verified: false,
    },
    status: conversation.status,
    custom_attributes: conversation.customAttributes,
    snoozed_until: null,
    unread_count: 0,
    agent_last_seen_at: 0,
    contact_last_seen_at: 0,
    timestamp: unix(conversation.updatedAt),
    created_at: unix(conversation.createdAt),
  };
}

/** A conversation as the API renders it. */
export function conversationJson(state: ChatwootState, baseUrl: string, conversation: ConversationRow) {
  const { contact_inbox: _, ...data } = conversationPushData(state, baseUrl, conversation);
  return { ...data, account_id: state.accountId };
}

/** A message as webhooks carry it (`Message#webhook_data`: string `message_type`, ISO `created_at`). */
export function messageWebhookData(state: ChatwootState, baseUrl: string, message: MessageRow) {
  const conversation = state.conversations.get(message.conversationId)!;
  const inbox = state.inboxes.get(message.inboxId)!;
  return {
    account: { id: state.accountId, name: 'Acme' },
    additional_attributes: {},
    content_attributes: message.contentAttributes,
    content_type: 'text',
    content: message.content,
    conversation: conversationPushData(state, baseUrl, conversation),
    created_at: message.createdAt.toISOString(),
    id: message.id,
    inbox: { id: inbox.id, name: inbox.name },
    message_type: message.messageType,
    private: message.private,
    sender: senderOf(state, message),
    source_id: message.sourceId,
    ...(message.attachments.length
      ? { attachments: message.attachments.map((a) => attachmentJson(state, baseUrl, a)) }
      : {}),
  };
}
