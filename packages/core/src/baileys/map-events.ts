import type { GroupMetadata, proto, Chat as WAChat, Contact as WAContact } from '@whiskeysockets/baileys';
import type { ChatInput } from '../contracts/chat.js';
import type { ContactInput } from '../contracts/contact.js';
import type { Group } from '../contracts/group.js';
import type { MessageStatus } from '../contracts/message.js';
import { phoneOf, preferPn } from './jids.js';

const iso = (seconds: unknown) => (seconds ? new Date(Number(seconds) * 1000).toISOString() : null);

/** Baileys' numeric message status (WebMessageInfo.Status) as ours. */
export function statusOf(status: proto.WebMessageInfo.Status | null | undefined): MessageStatus | null {
  switch (status) {
    case 0:
      return 'failed';
    case 2:
      return 'sent';
    case 3:
      return 'delivered';
    case 4:
      return 'read';
    case 5:
      return 'played';
    default:
      return null;
  }
}

/**
 * The error code of a message WhatsApp refused with an error ack (e.g. `463`, the reach-out
 * restriction): Baileys reports it as status ERROR with the code in `messageStubParameters`.
 */
export function ackErrorOf(update: { messageStubParameters?: string[] | null }): string | null {
  const code = update.messageStubParameters?.[0];
  return typeof code === 'string' && /^\d{1,6}$/.test(code) ? code : null;
}

export function chatOf(chat: Partial<WAChat> & { id?: string | null }): ChatInput | null {
  if (!chat.id) return null;
  const jid = preferPn(chat.id, (chat as { pnJid?: string }).pnJid) ?? chat.id;
  const input: ChatInput = { chatJid: jid, isGroup: jid.endsWith('@g.us') };
  if (chat.name) input.chatName = chat.name;
  if (phoneOf(jid)) input.phoneNumber = phoneOf(jid);
  // WhatsApp marks a chat unread by hand with -1
  if (chat.unreadCount != null) input.unreadCount = chat.unreadCount < 0 ? 1 : chat.unreadCount;
  if (chat.archived != null) input.isArchived = !!chat.archived;
  if (chat.pinned !== undefined) input.isPinned = !!chat.pinned;
  // the gateway mutes with a millisecond timestamp (what it sends comes back); older ones are seconds
  if (chat.muteEndTime !== undefined) {
    const end = Number(chat.muteEndTime ?? 0);
    input.mutedUntil = end > 0 ? new Date(end > 1e12 ? end : end * 1000).toISOString() : null;
  }
  if (chat.conversationTimestamp) input.lastMsgAt = iso(chat.conversationTimestamp);
  return input;
}

export function contactOf(contact: Partial<WAContact>): ContactInput | null {
  const jid = preferPn(contact.id, contact.phoneNumber);
  if (!jid) return null;
  const input: ContactInput = { jid };
  const lid = [contact.id, contact.lid].find((j) => j?.endsWith('@lid'));
  if (lid) input.lid = lid;
  if (phoneOf(jid)) input.phoneNumber = phoneOf(jid);
  if (contact.name) input.name = contact.name;
  if (contact.notify) input.pushName = contact.notify;
  if (contact.verifiedName) input.isBusiness = true;
  if (typeof contact.imgUrl === 'string' && contact.imgUrl !== 'changed') input.avatarUrl = contact.imgUrl;
  return input;
}

export function groupOf(meta: GroupMetadata): Omit<Group, 'sessionId'> {
  return {
    jid: meta.id,
    subject: meta.subject ?? '',
    description: meta.desc ?? null,
    owner: meta.ownerPn ?? meta.owner ?? null,
    participants: (meta.participants ?? []).map((p) => ({
      jid: preferPn(p.id, (p as { phoneNumber?: string }).phoneNumber) ?? p.id,
      role: p.admin === 'superadmin' ? 'superadmin' : p.admin === 'admin' ? 'admin' : 'member',
    })),
    announce: !!meta.announce,
    restrict: !!meta.restrict,
    createdAt: iso(meta.creation),
  };
}
