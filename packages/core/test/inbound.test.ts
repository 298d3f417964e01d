import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../src/contracts/message.js';
import { eventsOf, type Harness, startGateway } from './helpers.js';

const ana = '15550001111@s.whatsapp.net';
let h: Harness;
afterEach(() => h.gateway.stop());

async function open(settings: Record<string, boolean> = {}) {
  h = await startGateway();
  const session = await h.gateway.sessions.create({ name: 'main', settings });
  await h.gateway.sessions.connect(session.id);
  const control = h.fake.session(session.id);
  await control.open();
  return { session, control };
}
const stored = async (sessionId: string) => (await h.store.messages.list(sessionId)).items;

describe('inbound', () => {
  it('stores a message once even when it arrives twice, and announces it once', async () => {
    const { session, control } = await open();
    const message = { waid: 'IN-1', content: { text: 'hello' }, timestamp: '2024-05-01T10:00:00.000Z' };
    await control.inbound(message);
    await control.inbound(message);
    const [only, ...rest] = await stored(session.id);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      waid: 'IN-1',
      chatId: ana,
      content: { text: 'hello' },
      isFromMe: false,
      status: 'delivered',
      senderName: 'Ana',
    });
    const received = await eventsOf(h.store, 'message.received');
    expect(received.map((e) => (e.data as { message: Message }).message.id)).toEqual([only?.id]);
    expect(await h.store.chats.get(session.id, ana)).toMatchObject({
      chatName: 'Ana',
      isGroup: false,
      lastMsgAt: '2024-05-01T10:00:00.000Z',
    });
  });

  it('advances receipts forward only, announcing each move once', async () => {
    const { session, control } = await open();
    await control.inbound({ waid: 'OUT-1', isFromMe: true, status: 'sent' });
    for (const status of ['delivered', 'sent', 'read', 'delivered', 'read', 'played'] as const) {
      await control.receipt(ana, 'OUT-1', status);
    }
    expect((await h.store.messages.getByWaid(session.id, ana, 'OUT-1'))?.status).toBe('played');
    const moves = (await eventsOf(h.store, 'message.status')).map((e) =>
      e.type === 'message.status' ? `${e.data.previous}→${e.data.status}` : '',
    );
    expect(moves).toEqual(['sent→delivered', 'delivered→read', 'read→played']);
    expect(await eventsOf(h.store, 'message.sent')).toHaveLength(1);
  });

  it('applies edits, revokes and reactions to the stored message, ignoring replays', async () => {
    const { session, control } = await open();
    await control.inbound({ waid: 'M', content: { text: 'v1' } });
    const edit = {
      type: 'message.edited' as const,
      chatId: ana,
      waid: 'M',
      msgType: 'text' as const,
      content: { text: 'v2' },
      editedAt: '2024-05-01T10:01:00.000Z',
    };
    await control.emit(edit);
    await control.emit(edit);
    const react = (emoji: string, senderJid = ana) =>
      control.emit({
        type: 'message.reaction',
        chatId: ana,
        targetWaid: 'M',
        senderJid,
        emoji,
        at: '2024-05-01T10:02:00.000Z',
      });
    await react('👍');
    await react('❤️');
    await react('😂', '15550009999@s.whatsapp.net');
    await react('', '15550009999@s.whatsapp.net');
    const deleted = { type: 'message.deleted' as const, chatId: ana, waid: 'M', deletedBy: ana };
    await control.emit(deleted);
    await control.emit(deleted);
    const message = await h.store.messages.getByWaid(session.id, ana, 'M');
    expect(message?.content).toEqual({ text: 'v2' });
    expect(message?.metadata).toEqual({
      edits: [{ content: { text: 'v1' }, editedAt: '2024-05-01T10:01:00.000Z' }],
      reactions: [{ senderJid: ana, emoji: '❤️', at: '2024-05-01T10:02:00.000Z' }],
      deletedAt: expect.any(String),
    });
    expect(await eventsOf(h.store, 'message.edited')).toHaveLength(1);
    expect(await eventsOf(h.store, 'message.deleted')).toHaveLength(1);
    expect(await eventsOf(h.store, 'message.reaction')).toHaveLength(4);
  });

  it('keeps the latest poll vote per voter, ignores replays and older votes, announces each change', async () => {
    const { session, control } = await open();
    const bea = '15550009999@s.whatsapp.net';
    await control.inbound({
      waid: 'P',
      msgType: 'poll',
      content: { name: 'Tea?', options: ['Yes', 'No'], selectableCount: 1 },
    });
    const vote = (voterJid: string, options: string[], at: string) =>
      control.emit({ type: 'poll.vote', chatId: ana, pollWaid: 'P', voterJid, options, at });
    await vote(ana, ['Yes'], '2024-05-01T10:00:00.000Z');
    await vote(ana, ['Yes'], '2024-05-01T10:00:00.000Z'); // replay
    await vote(bea, ['Yes'], '2024-05-01T10:00:01.000Z');
    await vote(ana, ['No'], '2024-05-01T10:00:02.000Z');
    await vote(ana, ['Yes'], '2024-05-01T09:59:00.000Z'); // older than the stored vote
    await vote(bea, [], '2024-05-01T10:00:03.000Z'); // retracted
    await control.emit({
      type: 'poll.vote',
      chatId: ana,
      pollWaid: 'UNKNOWN',
      voterJid: ana,
      options: ['Yes'],
      at: '2024-05-01T10:00:00.000Z',
    });
    const poll = await h.store.messages.getByWaid(session.id, ana, 'P');
    expect(poll?.metadata.pollVotes).toEqual([
      { voterJid: ana, options: ['No'], at: '2024-05-01T10:00:02.000Z' },
      { voterJid: bea, options: [], at: '2024-05-01T10:00:03.000Z' },
    ]);
    const events = await eventsOf(h.store, 'message.poll_vote');
    expect(events.map((e) => e.data)).toEqual(
      [
        [ana, ['Yes']],
        [bea, ['Yes']],
        [ana, ['No']],
        [bea, []],
      ].map(([voterJid, options]) => ({
        messageId: poll?.id,
        chatId: ana,
        pollWaid: 'P',
        voterJid,
        options,
      })),
    );
  });

  it('drops group messages with ignoreGroups and status broadcasts with ignoreStatus', async () => {
    const { session, control } = await open({ ignoreGroups: true });
    await control.inbound({ waid: 'G', chatId: '123@g.us' });
    await control.inbound({ waid: 'S', chatId: 'status@broadcast' });
    await control.inbound({ waid: 'D', chatId: ana });
    expect((await stored(session.id)).map((m) => m.waid)).toEqual(['D']);
    await h.gateway.sessions.update(session.id, { settings: { ignoreGroups: false, ignoreStatus: false } });
    await control.inbound({ waid: 'G2', chatId: '123@g.us' });
    await control.inbound({ waid: 'S2', chatId: 'status@broadcast' });
    expect((await stored(session.id)).map((m) => m.waid).sort()).toEqual(['D', 'G2', 'S2']);
  });

  it('marks inbound messages read when the session says so', async () => {
    const { control } = await open({ markRead: true });
    await control.inbound({ waid: 'R1' });
    await control.inbound({ waid: 'R2', isFromMe: true });
    // sent after the message is stored and acknowledged ("read" follows "delivered")
    await vi.waitFor(() => expect(control.callsOf('markRead')).not.toHaveLength(0), { timeout: 10_000 });
    await control.inbound({ waid: 'R3', isFromMe: true });
    expect(control.callsOf('markRead')).toEqual([
      { method: 'markRead', args: [ana, [{ waid: 'R1', fromMe: false, senderJid: ana }]] },
    ]);
  });
});

describe('contacts', () => {
  it('are stored with their LID and announced only when something changed', async () => {
    const { session, control } = await open();
    const carol = {
      jid: '15550003333@s.whatsapp.net',
      lid: '999000111@lid',
      phoneNumber: '15550003333',
      pushName: 'Carol',
    };
    await control.emit({ type: 'contacts', contacts: [carol] });
    await control.emit({ type: 'contacts', contacts: [carol] }); // every message repeats what it knows
    await control.emit({ type: 'contacts', contacts: [{ jid: carol.jid, pushName: 'Carol B.' }] });
    expect(await h.store.contacts.get(session.id, carol.jid)).toMatchObject({
      ...carol,
      pushName: 'Carol B.',
    });
    expect(await h.store.contacts.getByLid(session.id, '999000111@lid')).toMatchObject({ jid: carol.jid });
    const announced = (await eventsOf(h.store, 'contact.upserted')).map(
      (e) => (e.data as { contact: { pushName: string } }).contact.pushName,
    );
    expect(announced).toEqual(['Carol', 'Carol B.']);
  });
});

describe('a batch of changes (one Baileys event batch)', () => {
  it('is stored in one transaction, in order, with one contacts write for all its contacts', async () => {
    const { session, control } = await open();
    await control.inbound({ waid: 'OUT-1', isFromMe: true, status: 'sent' });
    const transaction = vi.spyOn(h.store, 'transaction');
    const carol = '15550003333@s.whatsapp.net';
    await control.emit({
      type: 'batch',
      changes: [
        { type: 'contacts', contacts: [{ jid: carol, pushName: 'C' }] },
        { type: 'message.status', chatId: ana, waid: 'OUT-1', status: 'delivered' },
        { type: 'chats', chats: [{ chatJid: ana, isArchived: true }], onlyExisting: true },
        { type: 'chats', chats: [{ chatJid: carol, isArchived: true }], onlyExisting: true },
        {
          type: 'contacts',
          contacts: [
            { jid: carol, pushName: 'Carol' },
            { jid: ana, pushName: 'Ana' },
          ],
        },
        { type: 'presence', chatJid: ana, jid: ana, presence: 'composing', lastSeen: null },
      ],
    });
    expect(transaction).toHaveBeenCalledTimes(1);
    expect((await h.store.messages.getByWaid(session.id, ana, 'OUT-1'))?.status).toBe('delivered');
    expect(await h.store.chats.get(session.id, ana)).toMatchObject({ isArchived: true });
    expect(await h.store.chats.get(session.id, carol)).toBeNull();
    expect(await h.store.contacts.get(session.id, carol)).toMatchObject({ pushName: 'Carol' });
    const events = (await h.store.events.list({ afterSeq: 0, limit: 100, sessionId: session.id })).map(
      (e) => e.type,
    );
    // contacts (merged, at the first one's place), then the others in the order reported
    expect(events.slice(events.lastIndexOf('message.sent') + 1)).toEqual([
      'contact.upserted',
      'contact.upserted',
      'message.status',
      'chat.upserted',
      'presence.updated',
    ]);
  });
});

describe('chats', () => {
  it('an update of a chat that does not exist (a late echo after a delete) does not create it', async () => {
    const { session, control } = await open();
    await control.emit({ type: 'chats', chats: [{ chatJid: ana, isArchived: true }], onlyExisting: true });
    expect(await h.store.chats.get(session.id, ana)).toBeNull();
    await control.emit({ type: 'chats', chats: [{ chatJid: ana, chatName: 'Ana' }] });
    await control.emit({ type: 'chats', chats: [{ chatJid: ana, isArchived: true }], onlyExisting: true });
    expect(await h.store.chats.get(session.id, ana)).toMatchObject({ chatName: 'Ana', isArchived: true });
  });
});
