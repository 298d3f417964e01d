import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteToChatwoot,
  editToChatwoot,
  messageToChatwoot,
  reactionToChatwoot,
  statusToChatwoot,
} from '../src/bridge/to-chatwoot.js';
import { messagesRepo } from '../src/repo/messages.js';
import { type BridgeHarness, backends, startBridgeHarness } from './bridge-harness.js';

const ana = '5511987654321@s.whatsapp.net';
const anaLid = '99887766554433@lid';

describe.each(backends)('WhatsApp → Chatwoot on %s', (backend) => {
  let h: BridgeHarness;
  let n = 0;
  const waid = () => `WA${backend}${++n}`;
  beforeAll(async () => {
    h = await startBridgeHarness(backend);
  });
  afterAll(() => h.stop());
  afterEach(() => expect(h.chatwoot.violations).toEqual([]));

  const contacts = () => [...h.chatwoot.state.contacts.values()];
  const conversationOf = (contactId: number) =>
    [...h.chatwoot.state.conversations.values()].filter((c) => c.contactId === contactId);

  it('creates the contact and its conversation once, and bridges a message once', async () => {
    const first = await h.receive({
      chatId: ana,
      waid: waid(),
      senderName: 'Ana',
      content: { text: 'hello *there*' },
    });
    const outcome = await messageToChatwoot(h.bridge, first, false);
    expect(outcome.status).toBe('bridged');
    const [contact] = contacts();
    expect(contact).toMatchObject({ identifier: ana, phoneNumber: '+5511987654321', name: 'Ana' });
    const again = await messageToChatwoot(h.bridge, first, true);
    expect(again).toEqual({ status: 'skipped', reason: 'already bridged' });
    const second = await h.receive({ chatId: ana, waid: waid(), content: { text: 'second' } });
    await messageToChatwoot(h.bridge, second, false);
    const [conversation] = conversationOf(contact!.id);
    expect(conversationOf(contact!.id)).toHaveLength(1);
    expect(
      h.chatwoot.messagesOf(conversation!.id).map((m) => [m.sourceId, m.messageType, m.content]),
    ).toEqual([
      [`WAID:${first.waid}`, 'incoming', 'hello **there**'],
      [`WAID:${second.waid}`, 'incoming', 'second'],
    ]);
  });

  it('does not post twice when a crash lost the id map write (a retry finds the source id)', async () => {
    const message = await h.receive({ chatId: ana, waid: waid(), content: { text: 'crash window' } });
    const first = await messageToChatwoot(h.bridge, message, false);
    if (first.status !== 'bridged') throw new Error('not bridged');
    await h.store.sql.query(`DELETE FROM "chatwootMessages" WHERE "waid" = ?`, [message.waid]);
    const retried = await messageToChatwoot(h.bridge, message, true);
    expect(retried).toEqual(first);
    const copies = h.chatwoot
      .messagesOf(first.conversationId)
      .filter((m) => m.sourceId === `WAID:${message.waid}`);
    expect(copies).toHaveLength(1);
  });

  it('keeps a contact seen first by its LID and later by its number as one contact and one conversation', async () => {
    const lidMessage = await h.receive({
      chatId: anaLid,
      waid: waid(),
      senderJid: anaLid,
      content: { text: 'from lid' },
    });
    // the number is not known yet: the contact is made under its LID
    const otherBefore = contacts().length;
    await messageToChatwoot(h.bridge, lidMessage, false);
    const lidContact = contacts().find((c) => c.identifier === anaLid)!;
    expect(contacts()).toHaveLength(otherBefore + 1);
    // WhatsApp tells the mapping; the next message comes from the phone JID of the same person
    const bob = '5521912345678@s.whatsapp.net';
    await h.fake.emit({
      type: 'contacts',
      contacts: [{ jid: bob, lid: anaLid, phoneNumber: '5521912345678' }],
    });
    const phoneMessage = await h.receive({ chatId: bob, waid: waid(), content: { text: 'from phone' } });
    const outcome = await messageToChatwoot(h.bridge, phoneMessage, false);
    if (outcome.status !== 'bridged') throw new Error(outcome.reason);
    expect(contacts()).toHaveLength(otherBefore + 1);
    const conversations = conversationOf(lidContact.id);
    expect(conversations.map((c) => c.id)).toEqual([outcome.conversationId]);
  });

  it('merges Brazilian numbers with and without the ninth digit when asked', async () => {
    const inbox = [...h.chatwoot.state.inboxes.values()][0]!;
    await h.bridge.client.contacts.create(inbox.id, { name: 'Carla', phoneNumber: '+5531987651234' });
    h.configure({ mergeBrazilContacts: true });
    const message = await h.receive({
      chatId: '553187651234@s.whatsapp.net',
      waid: waid(),
      content: { text: 'oi' },
    });
    await messageToChatwoot(h.bridge, message, false);
    h.configure({ mergeBrazilContacts: false });
    const carla = contacts().filter((c) => c.name === 'Carla' || c.phoneNumber?.startsWith('+5531'));
    expect(carla.map((c) => [c.name, c.phoneNumber, c.identifier])).toEqual([
      ['Carla', '+5531987651234', '553187651234@s.whatsapp.net'],
    ]);
  });

  it('prefixes group messages with the participant and keeps one conversation per group', async () => {
    const group = '120363000000000001@g.us';
    await h.fake.emit({ type: 'chats', chats: [{ chatJid: group, chatName: 'Sales team', isGroup: true }] });
    const one = await h.receive({
      chatId: group,
      waid: waid(),
      senderJid: ana,
      senderName: 'Ana',
      content: { text: 'hi all' },
    });
    const two = await h.receive({
      chatId: group,
      waid: waid(),
      senderJid: anaLid,
      senderName: 'Bob',
      content: { text: 'yo' },
    });
    const a = await messageToChatwoot(h.bridge, one, false);
    const b = await messageToChatwoot(h.bridge, two, false);
    if (a.status !== 'bridged' || b.status !== 'bridged') throw new Error('not bridged');
    expect(b.conversationId).toBe(a.conversationId);
    const groupContact = contacts().find((c) => c.identifier === group);
    expect(groupContact?.name).toBe('Sales team');
    expect(h.chatwoot.messagesOf(a.conversationId).map((m) => m.content)).toEqual([
      '**Ana** (+5511987654321):\nhi all',
      '**Bob** (+5521912345678):\nyo',
    ]);
    h.configure({ groups: false });
    const three = await h.receive({
      chatId: group,
      waid: waid(),
      senderJid: ana,
      content: { text: 'not bridged' },
    });
    expect((await messageToChatwoot(h.bridge, three, false)).status).toBe('skipped');
    h.configure({ groups: true });
  });

  it('uploads media with the caption once, and replies to the quoted message', async () => {
    const photo = await h.receive({
      chatId: ana,
      waid: waid(),
      msgType: 'image',
      content: { caption: 'my *receipt*' },
      mediaInfo: { mimeType: 'image/jpeg' },
      media: { download: async () => Buffer.from('JPEG-BYTES') },
    });
    const posted = await messageToChatwoot(h.bridge, photo, false);
    if (posted.status !== 'bridged') throw new Error(posted.reason);
    const stored = h.chatwoot.state.messages.get(posted.chatwootMessageId)!;
    expect([stored.content, stored.attachments.map((a) => [a.fileName, a.data.toString()])]).toEqual([
      'my **receipt**',
      [[`image-${photo.waid}.jpg`, 'JPEG-BYTES']],
    ]);
    const reply = await h.receive({
      chatId: ana,
      waid: waid(),
      quotedMsgId: photo.waid,
      content: { text: 'this one' },
    });
    const replied = await messageToChatwoot(h.bridge, reply, false);
    if (replied.status !== 'bridged') throw new Error(replied.reason);
    expect(h.chatwoot.state.messages.get(replied.chatwootMessageId)?.contentAttributes).toMatchObject({
      in_reply_to: posted.chatwootMessageId,
    });
  });

  it('shows edits as replies, deletes as deleted, reactions on their message, receipts as statuses', async () => {
    const original = await h.receive({ chatId: ana, waid: waid(), content: { text: 'typo' } });
    const posted = await messageToChatwoot(h.bridge, original, false);
    if (posted.status !== 'bridged') throw new Error(posted.reason);
    const edited = { ...original, content: { text: 'fixed' } } as typeof original;
    const edit = await editToChatwoot(h.bridge, edited, '2026-12-01T12:00:00.000Z', false);
    expect(await editToChatwoot(h.bridge, edited, '2026-12-01T12:00:00.000Z', true)).toEqual({
      status: 'skipped',
      reason: 'already bridged',
    });
    if (edit.status !== 'bridged') throw new Error(edit.reason);
    expect(h.chatwoot.state.messages.get(edit.chatwootMessageId)).toMatchObject({
      content: '✏️ _Edited:_ fixed',
      contentAttributes: { in_reply_to: posted.chatwootMessageId },
    });

    const reaction = {
      targetWaid: original.waid,
      senderJid: ana,
      emoji: '👍',
      isFromMe: false,
      senderName: 'Ana',
    };
    const liked = await reactionToChatwoot(h.bridge, ana, reaction, false);
    const loved = await reactionToChatwoot(h.bridge, ana, { ...reaction, emoji: '❤️' }, false);
    if (liked.status !== 'bridged' || loved.status !== 'bridged') throw new Error('reaction not bridged');
    expect(h.chatwoot.state.messages.get(liked.chatwootMessageId)?.content).toBe('This message was deleted');
    expect(h.chatwoot.state.messages.get(loved.chatwootMessageId)).toMatchObject({
      content: '❤️',
      contentAttributes: { in_reply_to: posted.chatwootMessageId, is_reaction: true },
    });

    await deleteToChatwoot(h.bridge, ana, original.waid);
    expect(h.chatwoot.state.messages.get(posted.chatwootMessageId)).toMatchObject({
      content: 'This message was deleted',
      contentAttributes: { deleted: true },
    });

    const mine = await h.receive({
      chatId: ana,
      waid: waid(),
      isFromMe: true,
      content: { text: 'sent from the phone' },
    });
    const shown = await messageToChatwoot(h.bridge, mine, false);
    if (shown.status !== 'bridged') throw new Error(shown.reason);
    expect(h.chatwoot.state.messages.get(shown.chatwootMessageId)?.messageType).toBe('outgoing');
    await statusToChatwoot(h.bridge, ana, mine.waid, 'read');
    expect(h.chatwoot.state.messages.get(shown.chatwootMessageId)?.status).toBe('read');
    expect(await messagesRepo.get(h.store.sql, h.sessionId, ana, mine.waid)).toMatchObject({
      direction: 'to_chatwoot',
    });
  });

  it('makes a new conversation for a resolved one unless reopening, and recreates a deleted one', async () => {
    const dana = '5511911112222@s.whatsapp.net';
    const first = await messageToChatwoot(h.bridge, await h.receive({ chatId: dana, waid: waid() }), false);
    if (first.status !== 'bridged') throw new Error(first.reason);
    await h.store.sql.query(
      `UPDATE "chatwootConversations" SET "status" = 'resolved' WHERE "conversationId" = ?`,
      [first.conversationId],
    );
    const reopened = await messageToChatwoot(
      h.bridge,
      await h.receive({ chatId: dana, waid: waid() }),
      false,
    );
    expect(reopened).toMatchObject({ conversationId: first.conversationId });
    h.configure({ reopenConversation: false });
    const fresh = await messageToChatwoot(h.bridge, await h.receive({ chatId: dana, waid: waid() }), false);
    h.configure({ reopenConversation: true });
    if (fresh.status !== 'bridged') throw new Error(fresh.reason);
    expect(fresh.conversationId).not.toBe(first.conversationId);
    h.chatwoot.state.conversations.delete(fresh.conversationId);
    const recreated = await messageToChatwoot(
      h.bridge,
      await h.receive({ chatId: dana, waid: waid() }),
      false,
    );
    if (recreated.status !== 'bridged') throw new Error(recreated.reason);
    expect([fresh.conversationId, first.conversationId]).not.toContain(recreated.conversationId);
  });
});
