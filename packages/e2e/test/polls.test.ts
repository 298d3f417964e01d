import type { Message } from '@zapgate/core';
import type { SimContact } from '@zapgate/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, backends, pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

const ALICE = '15553330002';
const aliceJid = `${ALICE}@s.whatsapp.net`;
const bobJid = '15553330003@s.whatsapp.net';

interface Vote {
  voterJid: string;
  options: string[];
  at: string;
}

interface VoteEvent {
  messageId: string;
  chatId: string;
  pollWaid: string;
  voterJid: string;
  options: string[];
}

describe.each(backends)('poll votes over HTTP on %s', (backend: Backend) => {
  let stack: ServerStack;
  let sessionId: string;
  let sessionKey: string;
  let deviceJid: string;
  let alice: SimContact;
  let bob: SimContact;

  const api = (method: string, url: string, body?: unknown) =>
    stack.api(method, `/v1/sessions/${sessionId}${url}`, body, { authorization: `Bearer ${sessionKey}` });
  const getMessage = async (id: string) => {
    const response = await api('GET', `/messages/${id}`);
    expect(response.status).toBe(200);
    return response.body as Pick<Message, 'id' | 'waid' | 'status' | 'metadata'>;
  };
  /** The poll's votes over HTTP once `done` holds for them. */
  const votesOf = (id: string, done: (votes: Vote[]) => boolean, label: string) =>
    waitFor(
      async () => {
        const votes: Vote[] = (await getMessage(id)).metadata.pollVotes ?? [];
        return done(votes) ? votes : null;
      },
      20_000,
      label,
    );
  const voteEvents = async (pollWaid: string) =>
    (await stack.store.events.list({ afterSeq: 0, limit: 1000, types: ['message.poll_vote'] }))
      .filter((e) => (e.data as { pollWaid: string }).pollWaid === pollWaid)
      .map((e) => ({ sessionId: e.sessionId, ...(e.data as VoteEvent) }));
  const storedByWaid = (chatId: string, waid: string) =>
    waitFor(() => stack.store.messages.getByWaid(sessionId, chatId, waid), 20_000, `message ${waid}`);

  beforeAll(async () => {
    stack = await startServerStack(backend);
    const paired = await pairOverHttp(stack, 'polls', '15553330001');
    sessionId = paired.id;
    sessionKey = paired.apiKey;
    deviceJid = paired.session.deviceJid;
    alice = stack.sim.contact(ALICE, { name: 'Alice' });
    bob = stack.sim.contact('15553330003', { name: 'Bob' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("stores a contact's vote in a poll the gateway sent, the latest vote winning", async () => {
    const sent = await api('POST', '/messages', {
      type: 'poll',
      to: ALICE,
      name: 'Tea?',
      options: ['Yes', 'No'],
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const { id, waid } = sent.body as { id: string; waid: string };
    const got = await alice.waitForMessage((m) => m.id === waid && !m.ownCopy, { timeoutMs: 20_000 });
    const secret = got.message.messageContextInfo?.messageSecret;
    expect(secret).toHaveLength(32);
    // the secret the contact received is the one stored from the send result
    const stored = await waitFor(
      async () => {
        const message = await getMessage(id);
        return message.metadata.messageSecret ? message : null;
      },
      20_000,
      'messageSecret',
    );
    expect(stored.metadata.messageSecret).toBe(Buffer.from(secret!).toString('base64'));

    await alice.votePoll(deviceJid, waid, ['Yes']);
    const first = await votesOf(id, (votes) => votes.length > 0, 'first vote');
    expect(first).toEqual([{ voterJid: aliceJid, options: ['Yes'], at: expect.any(String) }]);

    await alice.votePoll(deviceJid, waid, ['No']);
    const changed = await votesOf(id, (votes) => votes[0]?.options[0] === 'No', 'changed vote');
    expect(changed).toEqual([{ voterJid: aliceJid, options: ['No'], at: expect.any(String) }]);
    expect(Date.parse(changed[0]!.at)).toBeGreaterThanOrEqual(Date.parse(first[0]!.at));

    expect(await voteEvents(waid)).toEqual([
      { sessionId, messageId: id, chatId: aliceJid, pollWaid: waid, voterJid: aliceJid, options: ['Yes'] },
      { sessionId, messageId: id, chatId: aliceJid, pollWaid: waid, voterJid: aliceJid, options: ['No'] },
    ]);
  });

  it('stores votes in polls contacts created, in a chat and in a group', async () => {
    const pollWaid = await alice.send(deviceJid, {
      pollCreationMessageV3: {
        name: 'Lunch?',
        options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }],
        selectableOptionsCount: 1,
      },
    });
    const poll = await storedByWaid(aliceJid, pollWaid);
    expect(poll).toMatchObject({ msgType: 'poll', isFromMe: false, senderJid: aliceJid });
    expect(Buffer.from(poll.metadata.messageSecret ?? '', 'base64')).toHaveLength(32);
    await alice.votePoll(deviceJid, pollWaid, ['Sushi']);
    expect(await votesOf(poll.id, (votes) => votes.length > 0, 'vote in own poll')).toEqual([
      { voterJid: aliceJid, options: ['Sushi'], at: expect.any(String) },
    ]);

    const group = stack.sim.createGroup({ subject: 'Lunch', participants: [alice, bob, '15553330001'] });
    const groupPollWaid = await alice.sendToGroup(group.jid, {
      pollCreationMessage: {
        name: 'Where?',
        options: [{ optionName: 'Here' }, { optionName: 'There' }, { optionName: 'Anywhere' }],
        selectableOptionsCount: 2,
      },
    });
    const groupPoll = await storedByWaid(group.jid, groupPollWaid);
    expect(groupPoll).toMatchObject({ chatId: group.jid, senderJid: aliceJid });
    // Bob votes with the poll's secret, as his phone would have it from the creation message
    await bob.votePoll(group.jid, groupPollWaid, ['Here', 'Anywhere'], {
      pollCreator: aliceJid,
      messageSecret: Buffer.from(groupPoll.metadata.messageSecret!, 'base64'),
    });
    await alice.votePoll(group.jid, groupPollWaid, ['There']);
    const votes = await votesOf(groupPoll.id, (all) => all.length === 2, 'group votes');
    expect(votes.sort((a, b) => a.voterJid.localeCompare(b.voterJid))).toEqual([
      { voterJid: aliceJid, options: ['There'], at: expect.any(String) },
      { voterJid: bobJid, options: ['Here', 'Anywhere'], at: expect.any(String) },
    ]);
    const events = await voteEvents(groupPollWaid);
    expect(events.map((e) => [e.voterJid, e.options, e.chatId, e.messageId]).sort()).toEqual(
      [
        [aliceJid, ['There'], group.jid, groupPoll.id],
        [bobJid, ['Here', 'Anywhere'], group.jid, groupPoll.id],
      ].sort(),
    );
  });
});
