import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { eventsOf, waitFor } from './stack.js';

const ALICE = '15554449001@s.whatsapp.net';
const BOB = '15554449002@s.whatsapp.net';

/** The phone's history: Alice's chat (in and out) and one message from Bob. */
const history = {
  conversations: [
    {
      jid: ALICE,
      name: 'Alice',
      messages: [
        { fromMe: false, text: 'old question', id: 'HIST-ALICE-1', timestamp: 1_700_000_000 },
        { fromMe: true, text: 'old answer', id: 'HIST-ALICE-2', timestamp: 1_700_000_120 },
      ],
    },
    {
      jid: BOB,
      name: 'Bob',
      messages: [{ fromMe: false, text: 'bob from before', id: 'HIST-BOB-1', timestamp: 1_700_000_300 }],
    },
  ],
};

type Listed = {
  items: Array<{ waid: string; isFromMe: boolean; timestamp: string; msgType: string; content: unknown }>;
};

// History is a socket option plus an ingest rule, not a storage feature: one backend is enough.
describe('history sync with real Baileys on wa-sim', () => {
  let stack: ServerStack;

  beforeAll(async () => {
    stack = await startServerStack('pglite');
  });
  afterAll(() => stack?.close());

  const messagesOf = async (id: string, chatId: string) => {
    const res = await stack.api<Listed>(
      'GET',
      `/v1/sessions/${id}/messages?chatId=${encodeURIComponent(chatId)}`,
    );
    expect(res.status).toBe(200);
    return res.body.items;
  };

  it('syncHistory on: the history is stored with content, fromMe and timestamps, without live events', async () => {
    const { id, session } = await pairOverHttp(stack, 'with-history', '15554440001', {
      settings: { syncHistory: true },
    });
    await stack.sim.sendHistorySync(session.deviceJid, history);
    const bob = await waitFor(
      () => stack.store.messages.getByWaid(id, BOB, 'HIST-BOB-1'),
      20_000,
      'history stored',
    );
    expect(bob).toMatchObject({ isFromMe: false, content: { text: 'bob from before' } });

    const alice = await messagesOf(id, ALICE);
    expect(
      alice.map((m) => ({ waid: m.waid, isFromMe: m.isFromMe, timestamp: m.timestamp, content: m.content })),
    ).toEqual([
      // newest first
      {
        waid: 'HIST-ALICE-2',
        isFromMe: true,
        timestamp: new Date(1_700_000_120_000).toISOString(),
        content: expect.objectContaining({ text: 'old answer' }),
      },
      {
        waid: 'HIST-ALICE-1',
        isFromMe: false,
        timestamp: new Date(1_700_000_000_000).toISOString(),
        content: expect.objectContaining({ text: 'old question' }),
      },
    ]);
    expect((await messagesOf(id, BOB)).map((m) => m.waid)).toEqual(['HIST-BOB-1']);

    const chats = await stack.api('GET', `/v1/sessions/${id}/chats`);
    const chatIds = (chats.body.items as Array<{ chatJid: string }>).map((c) => c.chatJid);
    expect(chatIds).toEqual(expect.arrayContaining([ALICE, BOB]));
    const aliceChat = await stack.api('GET', `/v1/sessions/${id}/chats/${encodeURIComponent(ALICE)}`);
    expect(aliceChat.status).toBe(200);

    // History is stored, not announced as live traffic: no message.received or message.sent for it.
    const historyIds = new Set(['HIST-ALICE-1', 'HIST-ALICE-2', 'HIST-BOB-1']);
    for (const type of ['message.received', 'message.sent']) {
      const announced = (await eventsOf(stack.store, type, id)).filter((e) =>
        historyIds.has((e.data as { message: { waid: string } }).message.waid),
      );
      expect(announced, type).toEqual([]);
    }

    // A live message afterwards is still announced.
    const live = await stack.sim.contact('15554449001').sendText(session.deviceJid, 'new today');
    await waitFor(() => stack.store.messages.getByWaid(id, ALICE, live), 20_000, 'live message');
    const received = (await eventsOf(stack.store, 'message.received', id)).map(
      (e) => (e.data as { message: { waid: string } }).message.waid,
    );
    expect(received).toEqual([live]);
  });

  it('syncHistory off (default): none of the history is stored', async () => {
    const { id, session } = await pairOverHttp(stack, 'no-history', '15554440002');
    await stack.sim.sendHistorySync(session.deviceJid, history);
    // A live message sent after the history notification is processed after it.
    const live = await stack.sim.contact('15554449002').sendText(session.deviceJid, 'live only');
    await waitFor(() => stack.store.messages.getByWaid(id, BOB, live), 20_000, 'live message');
    expect((await messagesOf(id, ALICE)).map((m) => m.waid)).toEqual([]);
    expect((await messagesOf(id, BOB)).map((m) => m.waid)).toEqual([live]);
  });
});
