import { isGatewayError } from '@zapgate/core';
import type { ChatwootContact } from '../client/types.js';
import { isGroupJid, isLidJid, phoneCandidates, phoneOfJid } from '../contacts/phone.js';
import { type ContactLink, contactsRepo } from '../repo/contacts.js';
import type { SessionBridge } from './session-bridge.js';

/** Who a chat is, as Chatwoot should know them. */
export interface Person {
  /** Every JID they are known by here (phone JID, LID, group JID). */
  jids: string[];
  /** What Chatwoot's `identifier` holds: the phone JID when known, else the LID or group JID. */
  identifier: string;
  /** E.164, when known. */
  phone: string | null;
  name: string;
  avatarUrl: string | null;
}

/**
 * The person behind a chat: a group, or a user with their LID ↔ phone mapping from the store.
 * `nameHint` (the push name a message carried) names a user the store has no name for.
 */
export async function personOfChat(
  bridge: SessionBridge,
  chatJid: string,
  nameHint?: string | null,
): Promise<Person> {
  if (isGroupJid(chatJid)) {
    const chat = await bridge.whatsapp.chat(chatJid);
    return {
      jids: [chatJid],
      identifier: chatJid,
      phone: null,
      name: chat?.chatName || chatJid,
      avatarUrl: null,
    };
  }
  const contact = await bridge.whatsapp.contact(chatJid);
  const phoneJid = [contact?.jid, chatJid].find((jid) => jid && phoneOfJid(jid)) ?? null;
  const lid = contact?.lid ?? (isLidJid(chatJid) ? chatJid : null);
  const phone = phoneJid ? phoneOfJid(phoneJid) : null;
  const jids = [...new Set([chatJid, phoneJid, lid].filter((jid): jid is string => !!jid))];
  return {
    jids,
    identifier: phoneJid ?? lid ?? chatJid,
    phone,
    name: contact?.name || contact?.pushName || nameHint || phone || chatJid.split('@')[0]!,
    avatarUrl: contact?.avatarUrl ?? null,
  };
}

async function findInChatwoot(bridge: SessionBridge, person: Person): Promise<ChatwootContact | null> {
  const { client, signal } = bridge;
  for (const jid of new Set([person.identifier, ...person.jids])) {
    const { payload } = await client.contacts.search(jid, 1, { signal });
    const found = payload.find((contact) => contact.identifier === jid);
    if (found) return found;
  }
  if (!person.phone) return null;
  for (const phone of phoneCandidates(person.phone, bridge.settings.mergeBrazilContacts)) {
    const { payload } = await client.contacts.search(phone, 1, { signal });
    const found = payload.find((contact) => contact.phone_number === phone);
    if (found) return found;
  }
  return null;
}

async function linkExisting(
  bridge: SessionBridge,
  person: Person,
  contact: ChatwootContact,
): Promise<ContactLink> {
  const { client, inboxId, signal } = bridge;
  let sourceId = contact.contact_inboxes?.find((row) => row.inbox.id === inboxId)?.source_id;
  sourceId ??= (await client.contacts.addInbox(contact.id, inboxId, undefined, { signal })).source_id;
  if (!contact.identifier) {
    await client.contacts.update(contact.id, { identifier: person.identifier }, { signal });
  }
  return { jid: person.identifier, contactId: contact.id, sourceId, inboxId };
}

/**
 * The Chatwoot contact of a person, found or made once: first the bridge's own links (any of
 * their JIDs), then Chatwoot by identifier (each JID), then by phone number (and its Brazilian
 * ninth-digit variant when merging); created with identifier, name, number and avatar
 * otherwise. Every JID of the person is then linked to it, so a contact seen first by its LID
 * and later by its number (or the reverse) stays one contact.
 */
export async function ensureContact(bridge: SessionBridge, person: Person): Promise<ContactLink> {
  const { sql, sessionId, inboxId, client, signal } = bridge;
  const known = await contactsRepo.find(sql, sessionId, inboxId, person.jids);
  if (known) {
    await contactsRepo.link(sql, sessionId, person.jids, known);
    return known;
  }
  let link: ContactLink;
  const existing = await findInChatwoot(bridge, person);
  if (existing) link = await linkExisting(bridge, person, existing);
  else {
    try {
      const { payload } = await client.contacts.create(
        inboxId,
        {
          name: person.name,
          identifier: person.identifier,
          ...(person.phone ? { phoneNumber: person.phone } : {}),
          ...(person.avatarUrl ? { avatarUrl: person.avatarUrl } : {}),
        },
        { signal },
      );
      link = {
        jid: person.identifier,
        contactId: payload.contact.id,
        sourceId: payload.contact_inbox.source_id,
        inboxId,
      };
    } catch (error) {
      // made meanwhile by someone else (another bridge, an agent): use theirs
      if (!isGatewayError(error) || error.code !== 'CHATWOOT_REJECTED') throw error;
      const raced = await findInChatwoot(bridge, person);
      if (!raced) throw error;
      link = await linkExisting(bridge, person, raced);
    }
  }
  await contactsRepo.link(sql, sessionId, person.jids, link);
  return link;
}
