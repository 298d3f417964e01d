import {
  decryptPollVote,
  getAggregateVotesInPollMessage,
  jidNormalizedUser,
  type proto,
  type WAMessage,
} from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pollOptionHash,
  type SimContact,
  type Simulator,
  startSimulator,
  trustSimulatorRoot,
} from '../src/index.js';
import { eventually, pairDevice, type TestDevice } from './helpers.js';

// Baileys 7.0.0-rc14 no longer decrypts votes itself (the `pollUpdateMessage` branch of
// `processMessage` is commented out): a vote reaches the app as a `messages.upsert` and the
// app decrypts it with `decryptPollVote`, as Zapgate's connector does.
describe('poll votes', () => {
  let sim: Simulator;
  let device: TestDevice;
  let deviceJid: string;
  let accountJid: string;
  let alice: SimContact;

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
    const paired = await pairDevice(sim, { phoneNumber: '15550303030' });
    device = paired.device;
    deviceJid = paired.paired.deviceJid;
    accountJid = paired.paired.jid;
    alice = sim.contact('15550404040', { name: 'Alice' });
  });

  afterAll(async () => {
    device?.sock.end(undefined);
    await sim?.close();
  });

  const voteUpsert = (pollId: string) =>
    eventually(
      () =>
        device.upserts.find(
          (m) => m.message?.pollUpdateMessage?.pollCreationMessageKey?.id === pollId && !m.key.fromMe,
        ),
      10_000,
      `vote on ${pollId}`,
    );

  const decrypt = (vote: WAMessage, secret: Uint8Array, pollMsgId: string, pollCreatorJid: string) =>
    decryptPollVote(vote.message!.pollUpdateMessage!.vote!, {
      pollEncKey: secret,
      pollCreatorJid,
      pollMsgId,
      voterJid: alice.jid,
    });

  it("votes in the device's poll with the secret from the received creation message", async () => {
    const sent = await device.sock.sendMessage(alice.jid, {
      poll: { name: 'Tea?', values: ['Yes', 'No', 'Later'], selectableCount: 2 },
    });
    const pollId = sent!.key.id!;
    const secret = sent!.message!.messageContextInfo!.messageSecret!;
    const got = await alice.waitForMessage((m) => m.id === pollId);
    expect(Buffer.from(got.message.messageContextInfo!.messageSecret!).equals(Buffer.from(secret))).toBe(
      true,
    );

    const voteId = await alice.votePoll(deviceJid, pollId, ['Yes', 'Later']);
    const vote = await voteUpsert(pollId);
    expect(vote.key).toMatchObject({ id: voteId, fromMe: false });
    expect(jidNormalizedUser(vote.key.remoteJid!)).toBe(alice.jid);
    const decrypted = decrypt(vote, secret, pollId, accountJid);
    expect(decrypted.selectedOptions?.map((o) => Buffer.from(o).toString('hex'))).toEqual(
      ['Yes', 'Later'].map((name) => pollOptionHash(name).toString('hex')),
    );

    const update: proto.IPollUpdate = {
      pollUpdateMessageKey: vote.key,
      vote: decrypted,
      senderTimestampMs: Number(vote.message!.pollUpdateMessage!.senderTimestampMs),
    };
    const tally = getAggregateVotesInPollMessage({ message: sent!.message, pollUpdates: [update] });
    expect(tally.map(({ name, voters }) => [name, voters.length])).toEqual([
      ['Yes', 1],
      ['No', 0],
      ['Later', 1],
    ]);
  });

  it('votes in its own poll with the secret it added when sending it', async () => {
    const pollId = await alice.send(deviceJid, {
      pollCreationMessageV3: {
        name: 'Lunch?',
        options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }],
        selectableOptionsCount: 1,
      },
    });
    const poll = await eventually(() => device.upserts.find((m) => m.key.id === pollId), 10_000, 'poll');
    const secret = poll.message?.messageContextInfo?.messageSecret;
    expect(secret?.length).toBe(32);

    await alice.votePoll(deviceJid, pollId, ['Sushi']);
    const vote = await voteUpsert(pollId);
    expect(vote.message?.pollUpdateMessage?.pollCreationMessageKey?.id).toBe(pollId);
    const decrypted = decrypt(vote, secret!, pollId, alice.jid);
    expect(decrypted.selectedOptions?.map((o) => Buffer.from(o).toString('hex'))).toEqual([
      pollOptionHash('Sushi').toString('hex'),
    ]);
    // the wrong creator derives another key: GCM authentication fails
    expect(() => decrypt(vote, secret!, pollId, accountJid)).toThrow();
  });

  it('refuses to vote in a poll whose secret it does not know', async () => {
    await expect(alice.votePoll(deviceJid, 'UNKNOWN', ['Yes'])).rejects.toThrow(/does not know the secret/);
  });
});
