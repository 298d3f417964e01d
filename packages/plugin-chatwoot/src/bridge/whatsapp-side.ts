import {
  type GatewayApi,
  type Message,
  type OutgoingPolicy,
  type Repositories,
  readMediaResponse,
} from '@zapgate/core';
import { isLidJid } from '../contacts/phone.js';
import type { WhatsappSide } from './session-bridge.js';

/** What {@link whatsappSide} is built from. */
export interface WhatsappSideParts {
  sessionId: string;
  gateway: GatewayApi;
  /** The store's contacts and chats (the LID ↔ phone mapping lives there). */
  store: Pick<Repositories, 'contacts' | 'chats'>;
  /** The bytes of a stored message's media. */
  readMedia(message: Message): Promise<{ data: Buffer; mimeType: string } | null>;
  /** Requests to Chatwoot's file URLs go through the host's outgoing-address policy. */
  outgoing: Pick<OutgoingPolicy, 'fetch'>;
  /** Largest attachment downloaded from Chatwoot. */
  maxAttachmentBytes: number;
  timeoutMs: number;
}

/** The WhatsApp side of one session's bridge, over the gateway's API and store. */
export function whatsappSide(parts: WhatsappSideParts): WhatsappSide {
  const { sessionId, gateway, store } = parts;
  return {
    async contact(jid) {
      return (
        (await store.contacts.get(sessionId, jid)) ??
        (isLidJid(jid) ? store.contacts.getByLid(sessionId, jid) : null)
      );
    },
    chat: (jid) => store.chats.get(sessionId, jid),
    media: (message) => parts.readMedia(message),
    send: (body, options) => gateway.messages.send(sessionId, body, options),
    async edit(messageId, text) {
      await gateway.messages.edit(sessionId, messageId, text);
    },
    async revoke(messageId) {
      await gateway.messages.revoke(sessionId, messageId);
    },
    markRead: (chatJid) => gateway.messages.markRead(sessionId, chatJid),
    presence: (chatJid, presence) => gateway.chats.presence(sessionId, chatJid, presence),
    async download(url) {
      const response = await parts.outgoing.fetch(url, {
        redirect: 'follow',
        signal: AbortSignal.timeout(parts.timeoutMs),
      });
      if (response.status === 404) {
        await response.body?.cancel().catch(() => {});
        return null;
      }
      const { data, mimeType } = await readMediaResponse(response, url, parts.maxAttachmentBytes);
      return { data, mimeType: mimeType?.split(';')[0]?.trim() || 'application/octet-stream' };
    },
  };
}
