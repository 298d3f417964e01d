import type { GatewayApi } from '@zapgate/core';
import type { RawRecipient } from './audience.js';

/** Stored contacts of a session whose name or number matches `search` (all when omitted). */
export interface ContactsSource {
  sessionId: string;
  search?: string | undefined;
}

/** The participants of a group a session is in. */
export interface GroupSource {
  sessionId: string;
  groupJid: string;
}

const phoneOfJid = (jid: string) =>
  jid.endsWith('@s.whatsapp.net') ? `+${jid.split('@')[0]!.split(':')[0]}` : null;

/**
 * Recipients from a session's stored contacts (variables `name`: the saved name, else the
 * push name). Contacts without a phone number (LID only) are left out.
 */
export async function fromContacts(gateway: GatewayApi, source: ContactsSource): Promise<RawRecipient[]> {
  const rows: RawRecipient[] = [];
  let cursor: string | undefined;
  do {
    const page = await gateway.directory.listContacts(source.sessionId, {
      ...(source.search ? { search: source.search } : {}),
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const contact of page.items) {
      const phone = contact.phoneNumber
        ? `+${contact.phoneNumber.replace(/^\+/, '')}`
        : phoneOfJid(contact.jid);
      if (!phone || contact.jid.endsWith('@g.us')) continue;
      const name = contact.name ?? contact.pushName;
      rows.push({ phone, variables: name ? { name } : {}, row: rows.length + 1 });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

/**
 * Recipients from a group's participants (the session's own number left out); LID-only
 * participants are resolved through the session's stored contacts, else left out.
 */
export async function fromGroup(gateway: GatewayApi, source: GroupSource): Promise<RawRecipient[]> {
  const [group, session] = await Promise.all([
    gateway.groups.get(source.sessionId, source.groupJid),
    gateway.sessions.get(source.sessionId),
  ]);
  const own = session.phoneNumber ? `+${session.phoneNumber.replace(/^\+/, '')}` : null;
  const rows: RawRecipient[] = [];
  for (const participant of group.participants) {
    let phone = phoneOfJid(participant.jid);
    if (!phone) {
      const contact = await gateway.directory.getContact(source.sessionId, participant.jid).catch(() => null);
      phone = contact?.phoneNumber ? `+${contact.phoneNumber.replace(/^\+/, '')}` : null;
    }
    if (phone && phone !== own) rows.push({ phone, variables: {}, row: rows.length + 1 });
  }
  return rows;
}
