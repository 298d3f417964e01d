import { type BinaryNode, proto, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import type { SimConnection } from '../connection.js';
import { recordChat } from '../faults/send-faults.js';
import { type Companion, type Peer, type QueuedStanza, signalAddress } from '../registry.js';
import { companionBundle } from '../router/prekeys.js';
import { unixTime } from '../util.js';

/**
 * Sends a stanza to a companion, or queues it until the device logs in again. Like WhatsApp,
 * a message stays pending on its socket until the device acknowledges it (a receipt or an
 * ack): if the socket dies first, it is delivered again on the next connection.
 */
export const deliver = (companion: Companion, node: BinaryNode, rebuild?: QueuedStanza['rebuild']): void => {
  const connection = companion.connection;
  if (connection && !connection.closed) connection.sendTracked({ node, ...(rebuild ? { rebuild } : {}) });
  else companion.offlineQueue.push({ node: offline(node), ...(rebuild ? { rebuild } : {}) });
};

const offline = (node: BinaryNode): BinaryNode => ({ ...node, attrs: { ...node.attrs, offline: '1' } });

/**
 * Sends a companion's queue on its (new) connection, oldest first: messages a dead socket left
 * unacknowledged are rebuilt, and each stays pending until acknowledged. Returns how many.
 */
export const flushQueue = async (companion: Companion, connection: SimConnection): Promise<number> => {
  const queued = companion.offlineQueue.splice(0);
  for (const entry of queued) {
    const node = entry.rebuild ? offline(await entry.rebuild()) : entry.node;
    connection.sendTracked({ ...entry, node });
  }
  return queued.length;
};

/** The `type` attribute WhatsApp puts on a message stanza for `message`. */
export const stanzaType = (message: proto.IMessage): string => {
  if (message.reactionMessage) return 'reaction';
  if (
    message.pollCreationMessage ||
    message.pollCreationMessageV2 ||
    message.pollCreationMessageV3 ||
    message.pollUpdateMessage
  )
    return 'poll';
  if (message.conversation || message.extendedTextMessage || message.protocolMessage) return 'text';
  return 'media';
};

/** The `mediatype` attribute on `<enc>` for media messages. */
export const mediaTypeOf = (message: proto.IMessage): string | undefined => {
  if (message.imageMessage) return 'image';
  if (message.videoMessage) return 'video';
  if (message.audioMessage) return message.audioMessage.ptt ? 'ptt' : 'audio';
  if (message.documentMessage) return 'document';
  if (message.stickerMessage) return 'sticker';
  return undefined;
};

/** How a simulated peer addresses the device: by phone number (default) or by LID. */
export type Addressing = 'pn' | 'lid';

/**
 * Signal-encrypts `message` from `peer` to one companion and delivers the stanza (pkmsg
 * for the first message of a session, msg afterwards).
 */
export const sendEncrypted = async (
  peer: Peer,
  companion: Companion,
  message: proto.IMessage,
  id: string,
  addressing: Addressing,
): Promise<void> => {
  const t = unixTime();
  const stanza = async (): Promise<BinaryNode> => {
    const plaintext = writeRandomPadMax16(proto.Message.encode(message).finish());
    const { type, ciphertext } = await peer.signal.encrypt(
      signalAddress(companion),
      () => companionBundle(companion),
      plaintext,
    );
    const mediatype = mediaTypeOf(message);
    const from: Record<string, string> =
      addressing === 'lid'
        ? { from: peer.lidJid, sender_pn: peer.jid, addressing_mode: 'lid' }
        : { from: peer.jid, sender_lid: peer.lidJid };
    return {
      tag: 'message',
      attrs: { ...from, id, t, type: stanzaType(message), notify: peer.name },
      content: [
        { tag: 'enc', attrs: { v: '2', type, ...(mediatype ? { mediatype } : {}) }, content: ciphertext },
      ],
    };
  };
  const node = await stanza();
  recordChat(companion.account, peer.jid);
  deliver(companion, node, stanza);
};

/**
 * Sends a delivery (`type` undefined) or read receipt from a peer to a companion; for a
 * group chat `from` is the group and `participant` the member jid.
 */
export const sendReceipt = (
  companion: Companion,
  from: string,
  ids: string[],
  type?: 'read',
  participant?: string,
): void => {
  const [first, ...rest] = ids;
  if (!first) return;
  deliver(companion, {
    tag: 'receipt',
    attrs: {
      from,
      id: first,
      t: unixTime(),
      ...(type ? { type } : {}),
      ...(participant ? { participant } : {}),
    },
    ...(rest.length
      ? { content: [{ tag: 'list', attrs: {}, content: rest.map((id) => ({ tag: 'item', attrs: { id } })) }] }
      : {}),
  });
};
