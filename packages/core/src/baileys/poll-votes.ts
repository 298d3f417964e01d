import { createHash } from 'node:crypto';
import {
  decryptPollVote,
  jidNormalizedUser,
  normalizeMessageContent,
  type proto,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { Message } from '../contracts/message.js';
import type { Logger } from '../logger.js';
import type { ConnectorEvent } from '../ports/connector.js';
import { preferPn } from './jids.js';

type PollVote = Extract<ConnectorEvent, { type: 'poll.vote' }>;

/** What decrypting a vote needs besides the vote. */
export interface PollVoteContext {
  /** Our own account jids (phone number and LID), without device. */
  ownJids: string[];
  /** The stored poll (see `ConnectOptions.getMessage`). */
  getMessage(chatId: string, waid: string): Promise<Message | null>;
  logger: Logger;
}

/**
 * The WhatsApp content of a stored message, for Baileys' `getMessage`: a poll with its
 * `messageSecret` (Baileys and we decrypt votes with it) or a text (Baileys resends it when a
 * recipient asks for a retry). `undefined` for anything we cannot rebuild.
 */
export function toWaContent(message: Message): proto.IMessage | undefined {
  if (message.msgType === 'text') return { conversation: message.content.text };
  if (message.msgType !== 'poll') return undefined;
  const { name, options, selectableCount } = message.content;
  const poll = {
    name,
    options: options.map((optionName) => ({ optionName })),
    selectableOptionsCount: selectableCount,
  };
  const secret = message.metadata.messageSecret;
  return {
    // as Baileys sends it: V3 for single choice, V1 otherwise
    ...(selectableCount === 1 ? { pollCreationMessageV3: poll } : { pollCreationMessage: poll }),
    ...(secret ? { messageContextInfo: { messageSecret: Buffer.from(secret, 'base64') } } : {}),
  };
}

/** True when a message is an (encrypted) poll vote. */
export const isPollVote = (msg: WAMessage): boolean =>
  !!normalizeMessageContent(msg.message)?.pollUpdateMessage?.vote;

const jids = (...values: (string | null | undefined)[]): string[] => [
  ...new Set(values.filter((j): j is string => !!j).map((j) => jidNormalizedUser(j))),
];

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Decrypts a poll vote against the stored poll and names the selected options. Baileys
 * 7.0.0-rc14 no longer does this itself. The key binds the poll's creator and the voter jid;
 * which form (phone number or LID) the voter's client used is not on the wire, so each
 * combination is tried (AES-GCM authentication rejects wrong keys). `null` when the poll or
 * its secret is unknown or no key fits.
 */
export async function decryptVote(msg: WAMessage, context: PollVoteContext): Promise<PollVote | null> {
  const update = normalizeMessageContent(msg.message)?.pollUpdateMessage;
  const pollWaid = update?.pollCreationMessageKey?.id;
  const { key } = msg;
  const chatId = preferPn(key.remoteJid, key.remoteJidAlt);
  if (!update?.vote || !pollWaid || !chatId) return null;
  const poll = await context.getMessage(chatId, pollWaid);
  const secret = poll?.msgType === 'poll' ? poll.metadata.messageSecret : undefined;
  if (poll?.msgType !== 'poll' || !secret) {
    context.logger.warn({ chatId, pollWaid }, 'poll vote for an unknown poll (or one without its secret)');
    return null;
  }
  const isGroup = chatId.endsWith('@g.us');
  const voters = key.fromMe
    ? context.ownJids
    : isGroup
      ? jids(key.participant, key.participantAlt)
      : jids(key.remoteJid, key.remoteJidAlt);
  const voterJid = key.fromMe ? context.ownJids[0] : preferPn(voters[0], voters[1]);
  const creators = poll.isFromMe
    ? context.ownJids
    : jids(
        poll.senderJid,
        update.pollCreationMessageKey?.participant,
        ...(voters.includes(poll.senderJid ?? '') ? voters : []),
      );
  const pollEncKey = Buffer.from(secret, 'base64');
  for (const pollCreatorJid of creators) {
    for (const voter of voters) {
      let selected: Uint8Array[];
      try {
        const vote = decryptPollVote(update.vote, {
          pollCreatorJid,
          pollMsgId: pollWaid,
          pollEncKey,
          voterJid: voter,
        });
        selected = vote.selectedOptions ?? [];
      } catch {
        continue; // another jid form
      }
      const byHash = new Map(poll.content.options.map((name) => [sha256Hex(name), name]));
      const options = selected
        .map((hash) => byHash.get(Buffer.from(hash).toString('hex')))
        .filter((name): name is string => name !== undefined);
      const ms = Number(update.senderTimestampMs ?? 0) || Number(msg.messageTimestamp ?? 0) * 1000;
      return {
        type: 'poll.vote',
        chatId,
        pollWaid,
        voterJid: voterJid ?? voter,
        options,
        at: new Date(ms || Date.now()).toISOString(),
      };
    }
  }
  context.logger.warn({ chatId, pollWaid }, 'poll vote could not be decrypted');
  return null;
}
