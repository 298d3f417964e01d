import { createHash, randomBytes } from 'node:crypto';
import { aesEncryptGCM, hmacSign, proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import type { Message } from '../contracts/message.js';
import { silentLogger } from '../logger.js';
import { decryptVote, isPollVote, toWaContent } from './poll-votes.js';

const me = '15550000000@s.whatsapp.net';
const meLid = '90000000000001@lid';
const ana = '15550001111@s.whatsapp.net';
const anaLid = '90000000001111@lid';
const secret = randomBytes(32);

const poll = (over: Partial<Message> = {}): Message =>
  ({
    id: '0b7a9a3e-6c1e-4c55-9d1c-5d8f0c1f2a3b',
    sessionId: '1b7a9a3e-6c1e-4c55-9d1c-5d8f0c1f2a3b',
    chatId: ana,
    waid: 'POLL1',
    msgType: 'poll',
    content: { name: 'Tea?', options: ['Yes', 'No', 'Later'], selectableCount: 1 },
    mediaInfo: null,
    senderJid: null,
    senderName: null,
    isFromMe: true,
    quotedMsgId: null,
    status: 'sent',
    timestamp: '2024-05-01T10:00:00.000Z',
    metadata: { messageSecret: secret.toString('base64') },
    ...over,
  }) as Message;

/** A vote as a WhatsApp client encrypts it (the inverse of Baileys' `decryptPollVote`). */
const encryptVote = (options: string[], pollCreatorJid: string, voterJid: string, key = secret) => {
  const sign = Buffer.concat([
    Buffer.from('POLL1'),
    Buffer.from(pollCreatorJid),
    Buffer.from(voterJid),
    Buffer.from('Poll Vote'),
    Buffer.from([1]),
  ]);
  const encKey = hmacSign(sign, hmacSign(key, new Uint8Array(32)));
  const plaintext = proto.Message.PollVoteMessage.encode({
    selectedOptions: options.map((o) => createHash('sha256').update(o).digest()),
  }).finish();
  const encIv = randomBytes(12);
  return {
    encPayload: aesEncryptGCM(plaintext, encKey, encIv, Buffer.from(`POLL1\u0000${voterJid}`)),
    encIv,
  };
};

const voteMessage = (vote: proto.Message.IPollEncValue, key: Partial<WAMessage['key']> = {}): WAMessage => ({
  key: { remoteJid: anaLid, remoteJidAlt: ana, fromMe: false, id: 'VOTE1', ...key },
  messageTimestamp: 1714557600,
  message: {
    pollUpdateMessage: {
      pollCreationMessageKey: { remoteJid: me, fromMe: false, id: 'POLL1' },
      vote,
      senderTimestampMs: 1714557601000,
    },
  },
});

const context = (stored: Message | null) => ({
  ownJids: [me, meLid],
  getMessage: async (chatId: string, waid: string) =>
    stored && chatId === stored.chatId && waid === stored.waid ? stored : null,
  logger: silentLogger,
});

describe('poll votes', () => {
  it('decrypts a vote in our poll and names the options, whichever jid forms the voter used', async () => {
    for (const [creator, voter] of [
      [me, ana],
      [meLid, anaLid],
      [me, anaLid],
    ] as const) {
      const msg = voteMessage(encryptVote(['Yes', 'Later'], creator, voter));
      expect(isPollVote(msg)).toBe(true);
      expect(await decryptVote(msg, context(poll()))).toEqual({
        type: 'poll.vote',
        chatId: ana,
        pollWaid: 'POLL1',
        voterJid: ana,
        options: ['Yes', 'Later'],
        at: '2024-05-01T10:00:01.000Z',
      });
    }
  });

  it("decrypts a contact's vote in its own poll and a retracted vote as no options", async () => {
    const stored = poll({ isFromMe: false, senderJid: ana });
    const vote = await decryptVote(voteMessage(encryptVote(['No'], ana, ana)), context(stored));
    expect(vote).toMatchObject({ voterJid: ana, options: ['No'] });
    const retracted = await decryptVote(voteMessage(encryptVote([], ana, ana)), context(stored));
    expect(retracted).toMatchObject({ voterJid: ana, options: [] });
  });

  it('returns null for an unknown poll, a poll without its secret or the wrong secret', async () => {
    const msg = voteMessage(encryptVote(['Yes'], me, ana));
    expect(await decryptVote(msg, context(null))).toBeNull();
    expect(await decryptVote(msg, context(poll({ metadata: {} })))).toBeNull();
    const wrong = voteMessage(encryptVote(['Yes'], me, ana, randomBytes(32)));
    expect(await decryptVote(wrong, context(poll()))).toBeNull();
  });

  it('rebuilds a stored poll with its secret and a stored text for Baileys', () => {
    expect(toWaContent(poll())).toEqual({
      pollCreationMessageV3: {
        name: 'Tea?',
        options: [{ optionName: 'Yes' }, { optionName: 'No' }, { optionName: 'Later' }],
        selectableOptionsCount: 1,
      },
      messageContextInfo: { messageSecret: secret },
    });
    const multi = poll({ content: { name: 'Q', options: ['a', 'b'], selectableCount: 2 }, metadata: {} });
    expect(toWaContent(multi)).toEqual({
      pollCreationMessage: {
        name: 'Q',
        options: [{ optionName: 'a' }, { optionName: 'b' }],
        selectableOptionsCount: 2,
      },
    });
    expect(toWaContent(poll({ msgType: 'text', content: { text: 'hi' } } as Partial<Message>))).toEqual({
      conversation: 'hi',
    });
    expect(
      toWaContent(poll({ msgType: 'image', content: { caption: 'x' } } as Partial<Message>)),
    ).toBeUndefined();
  });
});
