import type { ContactLink } from '../repo/contacts.js';
import { type ConversationLink, conversationsRepo } from '../repo/conversations.js';
import type { Person } from './contacts.js';
import type { SessionBridge } from './session-bridge.js';

async function linked(bridge: SessionBridge, person: Person): Promise<ConversationLink | null> {
  for (const jid of person.jids) {
    const link = await conversationsRepo.get(bridge.sql, bridge.sessionId, jid);
    if (link && link.inboxId === bridge.inboxId) return link;
  }
  return null;
}

/**
 * The one Chatwoot conversation of a chat: the linked one, or a new one (pending when
 * `conversationPending`) when there is none, or when the linked one is resolved and
 * `reopenConversation` is off. Callers run it in the chat's job lane, so two messages of a
 * new chat never both create one; the link's primary key (session, chat) is the last guard.
 */
export async function ensureConversation(
  bridge: SessionBridge,
  person: Person,
  contact: ContactLink,
): Promise<ConversationLink> {
  const current = await linked(bridge, person);
  if (current && !(current.status === 'resolved' && !bridge.settings.reopenConversation)) {
    if (person.jids.some((jid) => jid !== current.chatJid)) await saveFor(bridge, person, current);
    return current;
  }
  const conversation = await bridge.client.conversations.create(
    {
      sourceId: contact.sourceId,
      inboxId: bridge.inboxId,
      contactId: contact.contactId,
      ...(bridge.settings.conversationPending ? { status: 'pending' as const } : {}),
    },
    bridge.signal ? { signal: bridge.signal } : {},
  );
  const link = {
    sessionId: bridge.sessionId,
    chatJid: person.identifier,
    inboxId: bridge.inboxId,
    contactId: contact.contactId,
    sourceId: contact.sourceId,
    conversationId: conversation.id,
    status: conversation.status,
  };
  return saveFor(bridge, person, link);
}

/** Links every JID of the person to the conversation; returns the link of their identifier. */
async function saveFor(bridge: SessionBridge, person: Person, link: Omit<ConversationLink, 'updatedAt'>) {
  let saved: ConversationLink | null = null;
  for (const jid of person.jids) {
    const row = await conversationsRepo.save(bridge.sql, { ...link, chatJid: jid });
    if (jid === person.identifier || !saved) saved = row;
  }
  return saved!;
}

/** Forgets a chat's conversation (Chatwoot no longer has it); the next message makes a new one. */
export async function forgetConversation(bridge: SessionBridge, person: Person): Promise<void> {
  for (const jid of person.jids) await conversationsRepo.remove(bridge.sql, bridge.sessionId, jid);
}
