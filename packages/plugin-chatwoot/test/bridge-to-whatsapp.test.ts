import { startReceiver } from '@zapgate/chatwoot-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messageToChatwoot, statusToChatwoot } from '../src/bridge/to-chatwoot.js';
import { replyToWhatsapp, updateToWhatsapp } from '../src/bridge/to-whatsapp.js';
import { type CallbackMessage, parseCallback } from '../src/callback/payload.js';
import { messagesRepo } from '../src/repo/messages.js';
import { type BridgeHarness, backends, startBridgeHarness } from './bridge-harness.js';

const ana = '5511987654321@s.whatsapp.net';
const options = { attachmentAttempts: 4, lastAttempt: false };

describe.each(backends)('Chatwoot → WhatsApp on %s', (backend) => {
  let h: BridgeHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let conversationId: number;
  let bridgedWaid: string;
  let bridgedId: number;

  beforeAll(async () => {
    h = await startBridgeHarness(backend);
    receiver = await startReceiver();
    for (const inbox of h.chatwoot.state.inboxes.values()) inbox.webhookUrl = receiver.url;
    const first = await h.receive({
      chatId: ana,
      waid: 'IN1',
      senderName: 'Ana',
      content: { text: 'hello' },
    });
    const outcome = await messageToChatwoot(h.bridge, first, false);
    if (outcome.status !== 'bridged') throw new Error(outcome.reason);
    [conversationId, bridgedWaid, bridgedId] = [
      outcome.conversationId,
      first.waid,
      outcome.chatwootMessageId,
    ];
  });
  afterAll(async () => {
    await h.stop();
    await receiver.close();
  });
  afterEach(() => expect(h.chatwoot.violations).toEqual([]));

  /** The callback Chatwoot sent for the last agent action. */
  function lastCallback(): CallbackMessage {
    const callback = parseCallback(JSON.parse(receiver.received.at(-1)!.body));
    if (callback.kind !== 'message') throw new Error(`unexpected ${callback.kind}`);
    return callback.payload;
  }
  const sends = () => h.fake.sends.filter((s) => s.error === null);

  it('sends an agent reply once, in WhatsApp formatting, quoting the message it answers', async () => {
    await h.chatwoot.dashboard.reply(conversationId, { content: 'Hi **Ana**', inReplyTo: bridgedId });
    const payload = lastCallback();
    const before = sends().length;
    expect(await replyToWhatsapp(h.bridge, payload, options)).toEqual({
      status: 'bridged',
      chatwootMessageId: payload.id,
      conversationId,
    });
    await replyToWhatsapp(h.bridge, payload, options); // a retried job: the idempotency key holds
    const sent = sends().slice(before);
    expect(sent.map((s) => [s.to, s.content, s.options.quoted?.waid])).toEqual([
      [ana, { type: 'text', to: ana, text: 'Hi *Ana*', quotedMessageId: bridgedWaid }, bridgedWaid],
    ]);
  });

  it('signs with the agent name when asked', async () => {
    h.configure({ signMessages: true, signDelimiter: '\n' });
    await h.chatwoot.dashboard.reply(conversationId, { content: 'Done' });
    await replyToWhatsapp(h.bridge, lastCallback(), options);
    h.configure({ signMessages: false });
    expect(sends().at(-1)?.content).toMatchObject({ type: 'text', text: '*Alice Agent:*\nDone' });
  });

  it('downloads attachments (waiting while Chatwoot stores them) and captions the first', async () => {
    h.chatwoot.faults.attachmentsNotReady(2);
    const png = { contentType: 'image/png', data: Buffer.from('PNG-BYTES') };
    await h.chatwoot.dashboard.reply(conversationId, {
      content: 'two photos',
      attachments: [
        { fileName: 'a.png', ...png },
        { fileName: 'b.png', ...png },
      ],
    });
    const before = sends().length;
    await replyToWhatsapp(h.bridge, lastCallback(), options);
    const sent = sends().slice(before);
    expect(
      sent
        .map((s) => s.content)
        .map((c) => [c.type, (c as { caption?: string }).caption, (c as { data?: Buffer }).data?.toString()]),
    ).toEqual([
      ['image', 'two photos', 'PNG-BYTES'],
      ['image', undefined, 'PNG-BYTES'],
    ]);
  });

  it('sends a reaction made in Chatwoot as a WhatsApp reaction', async () => {
    const { result } = await h.chatwoot.dashboard.reply(conversationId, {
      content: '👍',
      inReplyTo: bridgedId,
    });
    result.contentAttributes.is_reaction = true;
    await h.chatwoot.dashboard.edit(result.id, '👍'); // re-sends the message with its attributes
    const payload = { ...lastCallback(), event: 'message_created' as const };
    await replyToWhatsapp(h.bridge, payload, options);
    expect(sends().at(-1)?.content).toEqual({
      type: 'reaction',
      to: ana,
      messageId: bridgedWaid,
      emoji: '👍',
    });
  });

  it('revokes on WhatsApp what an agent deletes, and edits what an agent edits', async () => {
    const { result } = await h.chatwoot.dashboard.reply(conversationId, { content: 'draft' });
    await replyToWhatsapp(h.bridge, lastCallback(), options);
    const sentWaid = sends().at(-1)!.result!.waid;
    await h.chatwoot.dashboard.edit(result.id, 'final');
    await updateToWhatsapp(h.bridge, lastCallback());
    await updateToWhatsapp(h.bridge, lastCallback()); // the same edit again changes nothing
    const edits = h.fake.callsOf('edit');
    expect(edits.map((c) => c.args)).toEqual([[ana, sentWaid, 'final']]);
    await h.chatwoot.dashboard.delete(result.id);
    await updateToWhatsapp(h.bridge, lastCallback());
    expect(h.fake.callsOf('revoke').map((c) => c.args.slice(0, 2))).toEqual([[ana, sentWaid]]);
  });

  it('marks a message WhatsApp refuses as failed in Chatwoot, with a private note', async () => {
    h.fake.failSends(new Error('not-acceptable'));
    const { result } = await h.chatwoot.dashboard.reply(conversationId, { content: 'are you there?' });
    expect((await replyToWhatsapp(h.bridge, lastCallback(), options)).status).toBe('bridged');
    h.fake.failSends(null);
    // the send fails after it was accepted: core marks it failed and says so with message.status
    const pending = await messagesRepo.byChatwootId(h.store.sql, h.sessionId, result.id);
    let failed = await h.gateway.messages.get(h.sessionId, pending[0]!.messageId!);
    for (let i = 0; failed.status !== 'failed'; i += 1) {
      if (i > 200) throw new Error('the send did not fail');
      await new Promise((resolve) => setTimeout(resolve, 25));
      failed = await h.gateway.messages.get(h.sessionId, failed.id);
    }
    await statusToChatwoot(h.bridge, ana, failed.waid, 'failed', failed.metadata.error ?? null);
    expect(h.chatwoot.state.messages.get(result.id)?.status).toBe('failed');
    expect(h.chatwoot.state.messages.get(result.id)?.contentAttributes.external_error).toBe('not-acceptable');
    const note = h.chatwoot.messagesOf(conversationId).at(-1)!;
    expect([note.private, note.content]).toEqual([true, '⚠️ Not delivered to WhatsApp: not-acceptable']);
  });

  it('fails at once what cannot be sent at all (an attachment Chatwoot never serves)', async () => {
    h.chatwoot.faults.attachmentsNotReady(100);
    const { result } = await h.chatwoot.dashboard.reply(conversationId, {
      attachments: [{ fileName: 'gone.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF') }],
    });
    const outcome = await replyToWhatsapp(h.bridge, lastCallback(), {
      attachmentAttempts: 2,
      lastAttempt: false,
    });
    h.chatwoot.faults.clear();
    expect(outcome).toEqual({
      status: 'skipped',
      reason: 'failed: the attachment gone.pdf could not be downloaded from Chatwoot',
    });
    expect(h.chatwoot.state.messages.get(result.id)?.status).toBe('failed');
  });

  it('retries a send while the session is disconnected instead of failing it', async () => {
    await h.gateway.sessions.disconnect(h.sessionId);
    await h.chatwoot.dashboard.reply(conversationId, { content: 'later' });
    const payload = lastCallback();
    await expect(replyToWhatsapp(h.bridge, payload, options)).rejects.toMatchObject({
      code: 'SESSION_NOT_CONNECTED',
    });
    await h.gateway.sessions.connect(h.sessionId);
    for (let i = 0; (await h.gateway.sessions.get(h.sessionId)).status !== 'connected'; i += 1) {
      if (i > 200) throw new Error('not reconnected');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await replyToWhatsapp(h.bridge, payload, options)).status).toBe('bridged');
  });

  it("sends to the contact's number when an agent starts a conversation in Chatwoot", async () => {
    const inbox = [...h.chatwoot.state.inboxes.values()][0]!;
    const { payload: created } = await h.bridge.client.contacts.create(inbox.id, {
      name: 'Eva',
      phoneNumber: '+5511933334444',
    });
    const conversation = await h.bridge.client.conversations.create({
      sourceId: created.contact_inbox.source_id,
      inboxId: inbox.id,
      contactId: created.contact.id,
    });
    await h.chatwoot.dashboard.reply(conversation.id, { content: 'Hello Eva' });
    await replyToWhatsapp(h.bridge, lastCallback(), options);
    expect(sends().at(-1)?.to).toBe('5511933334444@s.whatsapp.net');
  });
});
