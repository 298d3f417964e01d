import { type BinaryNode, proto, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import { recordChat } from '../faults/send-faults.js';
import { type Companion, type Peer, signalAddress } from '../registry.js';
import { companionBundle } from '../router/prekeys.js';
import { unixTime } from '../util.js';

/** Sends a stanza to a companion, or queues it until the device logs in again. */
export const deliver = (companion: Companion, node: BinaryNode): void => {
  const connection = companion.connection;
  if (connection && !connection.closed) connection.send(node);
  else companion.offlineQueue.push({ ...node, attrs: { ...node.attrs, offline: '1' } });
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
  const plaintext = writeRandomPadMax16(proto.Message.encode(message).finish());
  const { type, ciphertext } = await peer.signal.encrypt(
    signalAddress(companion),
    () => companionBundle(companion),
    plaintext,
  );
  recordChat(companion.account, peer.jid);
  const mediatype = mediaTypeOf(message);
  const from: Record<string, string> =
    addressing === 'lid'
      ? { from: peer.lidJid, sender_pn: peer.jid, addressing_mode: 'lid' }
      : { from: peer.jid, sender_lid: peer.lidJid };
  deliver(companion, {
    tag: 'message',
    attrs: { ...from, id, t: unixTime(), type: stanzaType(message), notify: peer.name },
    content: [
      { tag: 'enc', attrs: { v: '2', type, ...(mediatype ? { mediatype } : {}) }, content: ciphertext },
    ],
  });
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
