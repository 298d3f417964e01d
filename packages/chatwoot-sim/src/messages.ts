import { extname } from 'node:path';
import type { ApiContext } from './api/context.js';
import type { AttachmentRow, ConversationRow, MessageRow, MessageType } from './state.js';

/** A file as it arrives (multipart upload or an agent's attachment). */
export interface UploadedFile {
  fileName: string;
  contentType: string;
  data: Buffer;
}

/** What makes a message, in Chatwoot's terms. */
export interface NewMessage {
  content?: string | null;
  messageType: MessageType;
  private?: boolean;
  sourceId?: string | null;
  contentAttributes?: Record<string, unknown>;
  attachments?: UploadedFile[];
  sender: MessageRow['sender'];
}

function fileTypeOf(contentType: string): AttachmentRow['fileType'] {
  const top = contentType.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

/**
 * Creates a message the way Chatwoot does: `in_reply_to` also records the replied message's
 * `source_id` as `in_reply_to_external_id`; an incoming message reopens a resolved
 * conversation. The caller sends `message_created` (the API at once, the dashboard awaiting it).
 */
export function postMessage(ctx: ApiContext, conversation: ConversationRow, input: NewMessage): MessageRow {
  const { state } = ctx;
  const attributes = { ...(input.contentAttributes ?? {}) };
  const replied = state.messages.get(Number(attributes.in_reply_to));
  if (replied?.sourceId) attributes.in_reply_to_external_id = replied.sourceId;
  const message: MessageRow = {
    id: state.nextId('message'),
    conversationId: conversation.id,
    inboxId: conversation.inboxId,
    content: input.content ?? null,
    messageType: input.messageType,
    private: input.private ?? false,
    sourceId: input.sourceId ?? null,
    contentAttributes: attributes,
    status: 'sent',
    createdAt: new Date(),
    attachments: [],
    sender: input.sender,
  };
  for (const file of input.attachments ?? []) {
    const id = state.nextId('attachment');
    const name = file.fileName || `file${extname(file.fileName)}`;
    const attachment: AttachmentRow = {
      id,
      messageId: message.id,
      fileType: fileTypeOf(file.contentType),
      fileName: name,
      contentType: file.contentType,
      data: file.data,
      key: `/rails/active_storage/blobs/${id}/${encodeURIComponent(name)}`,
    };
    message.attachments.push(attachment);
    state.attachments.set(attachment.key, attachment);
  }
  state.messages.set(message.id, message);
  conversation.updatedAt = message.createdAt;
  if (message.messageType === 'incoming' && conversation.status === 'resolved') {
    conversation.status = 'open';
    void ctx.events.statusChanged(conversation, 'resolved');
  }
  return message;
}

/** Deletes a message as the dashboard and the API do: content replaced, attachments dropped (the caller sends `message_updated`). */
export function deleteMessage(ctx: ApiContext, message: MessageRow): MessageRow {
  message.content = 'This message was deleted';
  message.contentAttributes = { ...message.contentAttributes, deleted: true };
  for (const attachment of message.attachments) ctx.state.attachments.delete(attachment.key);
  message.attachments = [];
  return message;
}
