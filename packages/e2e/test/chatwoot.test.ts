import { createHmac, randomBytes } from 'node:crypto';
import type { DeviceMessage, SimContact } from '@zapgate/wa-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bridgedSession,
  type ChatwootStack,
  conversationOf,
  conversationsOf,
  startChatwootStack,
} from './chatwoot-stack.js';
import { eventsOf, waitFor } from './stack.js';

// A 1×1 PNG: sends are checked against their declared type.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Waits for a message the contact gets; on timeout says which step and what it got instead. */
async function got(contact: SimContact, label: string, match: (m: DeviceMessage) => boolean) {
  try {
    return await contact.waitForMessage(match, { timeoutMs: 30_000 });
  } catch {
    const last = contact.received.slice(-3).map((m) => JSON.stringify(m.message).slice(0, 300));
    throw new Error(`${label}: not received; last received: ${last.join(' | ')}`);
  }
}

const textOf = (m: DeviceMessage) =>
  m.message.conversation ?? m.message.extendedTextMessage?.text ?? m.message.imageMessage?.caption ?? null;

describe('Chatwoot bridge end to end: wa-sim + Baileys + server + fake Chatwoot (Postgres)', () => {
  let stack: ChatwootStack;
  let s: Awaited<ReturnType<typeof bridgedSession>>;
  let alice: SimContact;
  const ALICE = '15553330002';
  const aliceJid = `${ALICE}@s.whatsapp.net`;

  beforeAll(async () => {
    stack = await startChatwootStack('postgres');
    s = await bridgedSession(stack, 'cw', '15553330001');
    alice = stack.sim.contact(ALICE, { name: 'Alice' });
    // Alice's conversation exists before each test (each test stands on its own)
    await alice.sendText(s.session.deviceJid, 'first contact');
    await conversationOf(stack.chatwoot, aliceJid);
  });
  afterAll(() => stack?.close());
  afterEach(() => expect(stack.chatwoot.violations).toEqual([]));

  const messagesOf = (conversationId: number) => stack.chatwoot.messagesOf(conversationId);
  const bridged = (conversationId: number, waid: string) =>
    waitFor(
      () => messagesOf(conversationId).find((m) => m.sourceId === `WAID:${waid}`),
      30_000,
      `WAID:${waid} in Chatwoot`,
    );

  it('makes the inbox an API channel whose webhook is this session’s callback, signed', () => {
    expect(s.inbox.webhookUrl).toMatch(
      new RegExp(`^${stack.publicUrl}/v1/chatwoot/${s.id}/callback\\?token=[\\w-]{40,}$`),
    );
    expect(s.inbox.secret).toEqual(expect.any(String));
    expect(s.bridge).toMatchObject({ status: 'running', signed: true, callbackUrl: s.inbox.webhookUrl });
  });

  it('bridges text both ways with formatting converted, and never echoes the agent’s own message', async () => {
    const waid = await alice.sendText(s.session.deviceJid, 'hello *there*');
    const conversation = await conversationOf(stack.chatwoot, aliceJid);
    expect(await bridged(conversation.id, waid)).toMatchObject({
      content: 'hello **there**',
      messageType: 'incoming',
    });
    const { result } = await stack.chatwoot.dashboard.reply(conversation.id, { content: 'Hi **Alice**' });
    const got = await alice.waitForMessage((m) => textOf(m) === 'Hi *Alice*', { timeoutMs: 30_000 });
    expect(got.ownCopy).toBe(false);
    // receipts: Alice's phone delivers then reads; Chatwoot shows the agent's message read
    await waitFor(() => stack.chatwoot.state.messages.get(result.id)?.status === 'read', 30_000, 'read');
    // the agent's send (message.sent, origin plugin:chatwoot) was not bridged back
    expect(messagesOf(conversation.id).filter((m) => m.messageType === 'outgoing')).toHaveLength(1);
    expect(conversationsOf(stack.chatwoot, aliceJid)).toHaveLength(1);
  });

  it('bridges every inbound message type: media as attachments with the caption once, location, contacts, poll', async () => {
    const conversation = await conversationOf(stack.chatwoot, aliceJid);
    const device = s.session.deviceJid;
    const media = [
      ['image', 'image/png', png, 'image'],
      ['video', 'video/mp4', randomBytes(1024), 'video'],
      ['audio', 'audio/ogg; codecs=opus', randomBytes(1024), 'audio'],
      ['document', 'application/pdf', randomBytes(1024), 'file'],
      ['sticker', 'image/webp', randomBytes(512), 'image'],
    ] as const;
    for (const [kind, mimetype, data, fileType] of media) {
      const waid = await alice.sendMedia(device, {
        kind,
        data,
        mimetype,
        ...(kind === 'document' ? { fileName: 'report.pdf' } : {}),
        ...(kind === 'image' ? { caption: 'look' } : {}),
      });
      const row = await bridged(conversation.id, waid);
      const attachments = row.attachments;
      expect(attachments, kind).toHaveLength(1);
      expect(attachments[0]).toMatchObject({ fileType });
      expect(attachments[0]!.data.equals(data), kind).toBe(true);
      if (kind === 'image') expect(row.content).toBe('look');
    }
    const location = await alice.send(device, {
      locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin' },
    });
    expect((await bridged(conversation.id, location)).content).toContain('52.52');
    const card = await alice.send(device, {
      contactMessage: {
        displayName: 'Bob',
        vcard: 'BEGIN:VCARD\nFN:Bob\nTEL;waid=15550001234:+1 555 000 1234\nEND:VCARD',
      },
    });
    expect((await bridged(conversation.id, card)).content).toContain('Bob');
    const poll = await alice.send(device, {
      pollCreationMessageV3: {
        name: 'Lunch?',
        options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }],
        selectableOptionsCount: 1,
      },
    });
    const pollRow = await bridged(conversation.id, poll);
    expect(pollRow.content).toContain('Lunch?');
    expect(pollRow.content).toContain('Sushi');
  });

  it('sends an agent’s attachment to WhatsApp as media with its caption', async () => {
    const conversation = await conversationOf(stack.chatwoot, aliceJid);
    await stack.chatwoot.dashboard.reply(conversation.id, {
      content: 'the chart',
      attachments: [{ fileName: 'chart.png', contentType: 'image/png', data: png }],
    });
    const got = await alice.waitForMessage((m) => Boolean(m.message.imageMessage), { timeoutMs: 30_000 });
    expect(got.message.imageMessage?.caption).toBe('the chart');
    expect(stack.sim.readUploadedMedia(got.message.imageMessage!, 'image').equals(png)).toBe(true);
  });

  it('carries quotes, reactions, edits and deletes both ways', async () => {
    const device = s.session.deviceJid;
    const conversation = await conversationOf(stack.chatwoot, aliceJid);
    // WhatsApp → Chatwoot
    const original = await alice.sendText(device, 'original text');
    const originalRow = await bridged(conversation.id, original);
    const reply = await alice.sendText(device, 'a reply', { quotedId: original });
    expect((await bridged(conversation.id, reply)).contentAttributes).toMatchObject({
      in_reply_to: originalRow.id,
    });
    await alice.react(device, original, '👍', { fromMe: true });
    await waitFor(
      () =>
        messagesOf(conversation.id).find(
          (m) => m.contentAttributes.is_reaction === true && m.content?.includes('👍'),
        ),
      30_000,
      'reaction in Chatwoot',
    );
    await alice.edit(device, original, 'edited text');
    await waitFor(
      () => messagesOf(conversation.id).find((m) => m.content?.includes('edited text')),
      30_000,
      'edit in Chatwoot',
    );
    await alice.revoke(device, reply);
    await waitFor(
      () =>
        messagesOf(conversation.id).find((m) => m.sourceId === `WAID:${reply}`)?.contentAttributes.deleted,
      30_000,
      'delete in Chatwoot',
    );

    // Chatwoot → WhatsApp: a quote, a reaction, an edit, a delete
    const { result: quoted } = await stack.chatwoot.dashboard.reply(conversation.id, {
      content: 'answering that',
      inReplyTo: originalRow.id,
    });
    const quote = await got(alice, 'quote', (m) => textOf(m) === 'answering that');
    expect(quote.message.extendedTextMessage?.contextInfo?.stanzaId).toBe(original);
    await stack.chatwoot.dashboard.reply(conversation.id, {
      content: '❤️',
      inReplyTo: originalRow.id,
      reaction: true,
    });
    await got(alice, 'reaction', (m) => m.message.reactionMessage?.text === '❤️');
    await stack.chatwoot.dashboard.edit(quoted.id, 'answering that, edited');
    await got(
      alice,
      'edit',
      (m) =>
        (m.message.protocolMessage?.editedMessage?.conversation ??
          m.message.protocolMessage?.editedMessage?.extendedTextMessage?.text) === 'answering that, edited',
    );
    await stack.chatwoot.dashboard.delete(quoted.id);
    await alice.waitForMessage((m) => m.message.protocolMessage?.type === 0 /* REVOKE */, {
      timeoutMs: 30_000,
    });
  });

  it('bridges a group as one conversation, each message prefixed with its sender', async () => {
    const bob = stack.sim.contact('15553330003', { name: 'Bob' });
    const group = stack.sim.createGroup({ subject: 'Team', participants: [alice, bob, '15553330001'] });
    const first = await alice.sendGroupText(group.jid, 'hi team');
    const second = await bob.sendGroupText(group.jid, 'hi alice');
    const conversation = await conversationOf(stack.chatwoot, group.jid);
    expect((await bridged(conversation.id, first)).content).toMatch(/^\*\*Alice\*\* \(\+15553330002\):/);
    expect((await bridged(conversation.id, second)).content).toMatch(/\(\+15553330003\):/);
    expect(conversationsOf(stack.chatwoot, group.jid)).toHaveLength(1);
    await stack.chatwoot.dashboard.reply(conversation.id, { content: 'hello group' });
    await bob.waitForMessage((m) => m.group === group.jid && textOf(m) === 'hello group', {
      timeoutMs: 30_000,
    });
  });

  it('keeps a contact seen first by its LID and then by its number as one contact and one conversation', async () => {
    const CAROL = '15553330004';
    const carolLid = stack.sim.contact(CAROL, { name: 'Carol', addressing: 'lid' });
    const first = await carolLid.sendText(s.session.deviceJid, 'from my LID');
    const conversation = await conversationOf(stack.chatwoot, `${CAROL}@s.whatsapp.net`);
    await bridged(conversation.id, first);
    const carolPn = stack.sim.contact(CAROL, { addressing: 'pn' });
    const second = await carolPn.sendText(s.session.deviceJid, 'from my number');
    await bridged(conversation.id, second);
    const people = [...stack.chatwoot.state.contacts.values()].filter(
      (c) =>
        c.phoneNumber === `+${CAROL}` || c.identifier?.startsWith(CAROL) || c.identifier === carolLid.lid,
    );
    expect(people).toHaveLength(1);
    expect(conversationsOf(stack.chatwoot, `${CAROL}@s.whatsapp.net`)).toHaveLength(1);
  });

  it('refuses forged and unsigned callbacks with 401 and sends nothing', async () => {
    const conversation = await conversationOf(stack.chatwoot, aliceJid);
    const before = alice.received.length;
    const body = JSON.stringify({
      event: 'message_created',
      id: 999_999,
      content: 'forged',
      message_type: 'outgoing',
      private: false,
      conversation: { id: conversation.id, inbox_id: s.inbox.id, status: 'open' },
    });
    const url = `${stack.baseUrl}/v1/chatwoot/${s.id}/callback`;
    const post = (headers: Record<string, string>, to = s.inbox.webhookUrl!) =>
      fetch(to.replace(stack.publicUrl, stack.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const wrongKey = createHmac('sha256', 'not the secret').update(`${timestamp}.${body}`).digest('hex');
    const refused = [
      await post({}), // the right URL token is not enough once the inbox signs
      await post({ 'x-chatwoot-timestamp': timestamp, 'x-chatwoot-signature': `sha256=${wrongKey}` }),
      await post({}, `${url}?token=guess`),
      await post({}, url),
    ];
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'CHATWOOT_CALLBACK_UNAUTHORIZED' });
    }
    // a signed one is accepted (and this one is an agent reply that reaches Alice)
    const good = createHmac('sha256', s.inbox.secret!).update(`${timestamp}.${body}`).digest('hex');
    const accepted = await post({
      'x-chatwoot-timestamp': timestamp,
      'x-chatwoot-signature': `sha256=${good}`,
      'x-chatwoot-delivery': 'delivery-1',
    });
    expect(accepted.status).toBe(200);
    await alice.waitForMessage((m) => textOf(m) === 'forged', { timeoutMs: 30_000 });
    const replayed = await post({
      'x-chatwoot-timestamp': timestamp,
      'x-chatwoot-signature': `sha256=${good}`,
      'x-chatwoot-delivery': 'delivery-1',
    });
    expect(await replayed.json()).toEqual({ result: 'duplicate' });
    expect(alice.received.filter((m) => textOf(m) === 'forged')).toHaveLength(1);
    expect(alice.received.length).toBe(before + 1);
  });

  it('delivers everything in order after a Chatwoot outage, honouring Retry-After', async () => {
    const conversation = await conversationOf(stack.chatwoot, aliceJid);
    stack.chatwoot.faults.fail({ status: 503, retryAfter: 1 });
    const waids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      waids.push(await alice.sendText(s.session.deviceJid, `during outage ${i}`));
    await waitFor(() => stack.chatwoot.faults.failed >= 3, 30_000, 'the outage to be hit');
    stack.chatwoot.faults.clear();
    for (const waid of waids) await bridged(conversation.id, waid);
    const order = messagesOf(conversation.id)
      .filter((m) => waids.some((w) => m.sourceId === `WAID:${w}`))
      .map((m) => m.content);
    expect(order).toEqual([0, 1, 2, 3, 4].map((i) => `during outage ${i}`));
  });

  it('answers the bot contact’s commands in its conversation', async () => {
    const bot = await conversationOf(stack.chatwoot, `zapgate:${s.id}`);
    await stack.chatwoot.dashboard.reply(bot.id, { content: '/status' });
    const answer = await waitFor(
      () => messagesOf(bot.id).find((m) => m.messageType === 'incoming' && m.content?.startsWith('Session')),
      30_000,
      '/status answered',
    );
    expect(answer.content).toBe('Session "cw": connected as +15553330001');
    expect(alice.received.some((m) => textOf(m) === '/status')).toBe(false);
  });

  it('imports history (phone-sent messages as outgoing), and a second import makes no copy', async () => {
    const h = await bridgedSession(
      stack,
      'hist',
      '15553330010',
      { importContacts: true, importMessages: true, daysLimit: 7, commands: false },
      { settings: { syncHistory: true } },
    );
    const FRANK = '15553330011@s.whatsapp.net';
    const now = Math.floor(Date.now() / 1000);
    await stack.sim.sendHistorySync(h.session.deviceJid, {
      conversations: [
        {
          jid: FRANK,
          name: 'Frank',
          messages: [
            { fromMe: false, text: 'a month ago', id: 'HIST-0', timestamp: now - 30 * 86_400 },
            { fromMe: false, text: 'old question', id: 'HIST-1', timestamp: now - 3600 },
            { fromMe: true, text: 'old answer from the phone', id: 'HIST-2', timestamp: now - 3500 },
          ],
        },
      ],
    });
    await waitFor(() => stack.store.messages.getByWaid(h.id, FRANK, 'HIST-2'), 30_000, 'history stored');
    const run = async () => {
      const started = await stack.api('POST', `/v1/sessions/${h.id}/chatwoot/import`);
      expect(started.status).toBe(202);
      return waitFor(
        async () => {
          const res = await stack.api('GET', `/v1/sessions/${h.id}/chatwoot/import`);
          return res.body.status === 'completed' ? res.body : null;
        },
        60_000,
        'import completed',
      );
    };
    expect(await run()).toMatchObject({ status: 'completed', messages: 2, skipped: 0, error: null });
    const conversation = await conversationOf(stack.chatwoot, FRANK);
    const shown = () => messagesOf(conversation.id).map((m) => [m.content, m.messageType]);
    expect(shown()).toEqual([
      ['old question', 'incoming'],
      ['old answer from the phone', 'outgoing'],
    ]);
    expect(await run()).toMatchObject({ status: 'completed', messages: 0, skipped: 2 });
    expect(shown()).toHaveLength(2);
    const progress = await eventsOf(stack.store, 'chatwoot.import.progress', h.id);
    expect(progress.filter((e) => (e.data as { status: string }).status === 'completed')).toHaveLength(2);
  });

  it('shows an agent typing as composing on WhatsApp, and marks the chat read when an agent opens it (markRead)', async () => {
    const reader = await bridgedSession(stack, 'cw-read', '15553330007', { markRead: true });
    const carol = stack.sim.contact('15553330008', { name: 'Carol' });
    const carolJid = `${carol.phoneNumber}@s.whatsapp.net`;
    const chatstates: Array<{ to: string | undefined; state: string }> = [];
    const reads: string[] = [];
    const onChatstate = (e: { deviceJid: string | undefined; to: string | undefined; state: string }) => {
      if (e.deviceJid === reader.session.deviceJid) chatstates.push({ to: e.to, state: e.state });
    };
    const onReceipt = (e: { from: string; ids: string[]; type: string | undefined }) => {
      if (e.from === reader.session.deviceJid && e.type === 'read') reads.push(...e.ids);
    };
    stack.sim.on('chatstate', onChatstate);
    stack.sim.on('receipt', onReceipt);
    try {
      const waid = await carol.sendText(reader.session.deviceJid, 'anyone there?');
      const conversation = await conversationOf(stack.chatwoot, carolJid);
      await bridged(conversation.id, waid);
      expect(reads).not.toContain(waid); // nobody opened it yet

      await stack.chatwoot.dashboard.typing(conversation.id, true);
      await waitFor(
        () => chatstates.some((c) => c.to === carolJid && c.state === 'composing'),
        30_000,
        'composing',
      );
      await stack.chatwoot.dashboard.typing(conversation.id, false);
      await waitFor(
        () => chatstates.some((c) => c.to === carolJid && c.state === 'paused'),
        30_000,
        'paused',
      );

      await stack.chatwoot.dashboard.setStatus(conversation.id, 'resolved');
      await stack.chatwoot.dashboard.setStatus(conversation.id, 'open');
      await waitFor(() => reads.includes(waid), 30_000, 'read receipt for Carol’s message');
    } finally {
      stack.sim.off('chatstate', onChatstate);
      stack.sim.off('receipt', onReceipt);
    }
  });

  it('stops the bridge on a refused token with a status and an event, and runs again once the settings change', async () => {
    stack.chatwoot.revokeToken();
    const waid = await alice.sendText(s.session.deviceJid, 'while the token is wrong');
    const stopped = await waitFor(
      async () => {
        const res = await stack.api('GET', `/v1/sessions/${s.id}/chatwoot`);
        return res.body.status === 'stopped' ? res.body : null;
      },
      30_000,
      'bridge stopped',
    );
    expect(stopped.code).toBe('CHATWOOT_UNAUTHORIZED');
    const events = await eventsOf(stack.store, 'chatwoot.bridge', s.id);
    expect(events.at(-1)?.data).toMatchObject({ status: 'stopped', code: 'CHATWOOT_UNAUTHORIZED' });
    const put = await stack.api('PUT', `/v1/sessions/${s.id}/plugins/chatwoot`, {
      url: stack.chatwoot.url,
      accountId: stack.chatwoot.accountId,
      token: stack.chatwoot.token,
      inboxName: 'WhatsApp cw',
    });
    expect(put.status).toBe(200);
    await waitFor(
      async () => (await stack.api('GET', `/v1/sessions/${s.id}/chatwoot`)).body.status === 'running',
      30_000,
      'bridge running again',
    );
    // messages flow again (the one that met the stopped bridge is a dead letter, retryable over REST)
    const after = await alice.sendText(s.session.deviceJid, 'after the fix');
    const conversation = await conversationOf(stack.chatwoot, aliceJid);
    await bridged(conversation.id, after);
    expect(messagesOf(conversation.id).some((m) => m.sourceId === `WAID:${waid}`)).toBe(false);
  });
});

describe('Chatwoot bridge end to end on embedded PGlite', () => {
  let stack: ChatwootStack;
  afterAll(() => stack?.close());

  it('bridges a message each way, each once, and shows the agent’s message read', async () => {
    stack = await startChatwootStack('pglite');
    const s = await bridgedSession(stack, 'cw-pglite', '15553340001');
    const dan = stack.sim.contact('15553340002', { name: 'Dan' });
    const waid = await dan.sendText(s.session.deviceJid, 'hello from _PGlite_');
    const conversation = await conversationOf(stack.chatwoot, `${dan.phoneNumber}@s.whatsapp.net`);
    const incoming = await waitFor(
      () => stack.chatwoot.messagesOf(conversation.id).find((m) => m.sourceId === `WAID:${waid}`),
      30_000,
      'bridged to Chatwoot',
    );
    expect(incoming).toMatchObject({ content: 'hello from _PGlite_', messageType: 'incoming' });
    const { result } = await stack.chatwoot.dashboard.reply(conversation.id, { content: 'Hi **Dan**' });
    await got(dan, 'agent reply', (m) => textOf(m) === 'Hi *Dan*');
    await waitFor(() => stack.chatwoot.state.messages.get(result.id)?.status === 'read', 30_000, 'read');
    expect(stack.chatwoot.messagesOf(conversation.id).map((m) => m.messageType)).toEqual([
      'incoming',
      'outgoing',
    ]);
    expect(stack.chatwoot.violations).toEqual([]);
  });
});
