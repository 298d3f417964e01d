import type { GatewayApi, Message } from '@zapgate/core';
import { isGroupJid } from '../contacts/phone.js';
import { ensureContact, personOfChat } from './contacts.js';
import type { SessionBridge } from './session-bridge.js';
import { messageToChatwoot, skipReasonOf } from './to-chatwoot.js';

/** Counts of one import step. */
export interface ImportCounts {
  contacts: number;
  messages: number;
  /** Messages already in Chatwoot (bridged live, or by an earlier run). */
  skipped: number;
}

/** One page of stored contacts, made known to Chatwoot (groups are left to their conversations). */
export async function importContactsPage(
  bridge: SessionBridge,
  gateway: Pick<GatewayApi, 'directory'>,
  cursor: string | null,
): Promise<{ count: number; nextCursor: string | null }> {
  const page = await gateway.directory.listContacts(bridge.sessionId, {
    limit: 100,
    ...(cursor ? { cursor } : {}),
  });
  let count = 0;
  for (const contact of page.items) {
    if (isGroupJid(contact.jid) || skipReasonOf(bridge, contact.jid)) continue;
    await ensureContact(bridge, await personOfChat(bridge, contact.jid));
    count += 1;
  }
  return { count, nextCursor: page.nextCursor };
}

/**
 * A chat's stored messages in [since, until), oldest first, into Chatwoot: each one through the
 * same path as live messages, so one already there (live, or by an earlier run) is skipped —
 * running the import twice, or resuming it after a crash, makes no copy. `resumed`: an earlier
 * attempt may have posted the first message not yet in the id map (a crash before its write).
 */
export async function importChatMessages(
  bridge: SessionBridge,
  gateway: Pick<GatewayApi, 'messages'>,
  chatJid: string,
  window: { since: string; until: string },
  resumed: boolean,
): Promise<ImportCounts> {
  const counts: ImportCounts = { contacts: 0, messages: 0, skipped: 0 };
  if (skipReasonOf(bridge, chatJid)) return counts;
  const messages: Message[] = [];
  let cursor: string | undefined;
  do {
    const page = await gateway.messages.list(bridge.sessionId, {
      chatId: chatJid,
      ...window,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    messages.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  let lookFirst = resumed;
  for (const message of messages.reverse()) {
    if (message.metadata.deletedAt || message.msgType === 'reaction') continue;
    const outcome = await messageToChatwoot(bridge, message, lookFirst);
    if (outcome.status === 'bridged') {
      counts.messages += 1;
      lookFirst = false;
    } else counts.skipped += 1;
  }
  return counts;
}
