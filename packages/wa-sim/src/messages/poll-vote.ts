import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';

/** What identifies a poll when encrypting a vote for it. */
export interface PollVoteContext {
  /** The poll's `messageContextInfo.messageSecret` (32 bytes). */
  messageSecret: Uint8Array;
  /** WhatsApp id of the poll creation message. */
  pollMsgId: string;
  /** Account jid (no device) of whoever created the poll. */
  pollCreatorJid: string;
  /** Account jid (no device) of the voter. */
  voterJid: string;
}

/** SHA-256 of a poll option name: how a vote names the options it selects. */
export const pollOptionHash = (optionName: string): Buffer =>
  createHash('sha256').update(Buffer.from(optionName)).digest();

/** The poll creation (any version) a message carries, else `undefined`. */
export const pollCreationOf = (message: proto.IMessage): proto.Message.IPollCreationMessage | undefined =>
  message.pollCreationMessage ?? message.pollCreationMessageV2 ?? message.pollCreationMessageV3 ?? undefined;

/**
 * Encrypts a vote the way WhatsApp does (the inverse of Baileys' `decryptPollVote`):
 * `key = HMAC(HMAC(0³², secret), pollMsgId ‖ creator ‖ voter ‖ "Poll Vote" ‖ 0x01)`, then
 * AES-256-GCM with a random 12-byte IV and `pollMsgId \0 voter` as additional data. The
 * payload is a `PollVoteMessage` listing the SHA-256 of each selected option name.
 */
export function encryptPollVote(
  optionNames: string[],
  context: PollVoteContext,
): proto.Message.IPollEncValue {
  const { messageSecret, pollMsgId, pollCreatorJid, voterJid } = context;
  const sign = Buffer.concat([
    Buffer.from(pollMsgId),
    Buffer.from(pollCreatorJid),
    Buffer.from(voterJid),
    Buffer.from('Poll Vote'),
    Buffer.from([1]),
  ]);
  const key0 = createHmac('sha256', Buffer.alloc(32)).update(messageSecret).digest();
  const key = createHmac('sha256', key0).update(sign).digest();
  const plaintext = proto.Message.PollVoteMessage.encode({
    selectedOptions: optionNames.map(pollOptionHash),
  }).finish();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${pollMsgId}\u0000${voterJid}`));
  const encPayload = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { encPayload, encIv: iv };
}
