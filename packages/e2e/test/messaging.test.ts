import { randomBytes } from 'node:crypto';
import type { SimContact } from '@zapgate/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  backends,
  collectSse,
  pairOverHttp,
  type ServerStack,
  startServerStack,
} from './server-stack.js';
import { waitFor } from './stack.js';

const ALICE = '15552220002';
const aliceJid = `${ALICE}@s.whatsapp.net`;

describe.each(backends)('messaging over HTTP on %s', (backend: Backend) => {
  let stack: ServerStack;
  let sessionId: string;
  let sessionKey: string;
  let deviceJid: string;
  let alice: SimContact;
  let sse: ReturnType<typeof collectSse>;

  const byWaid = (waid: string, chatId = aliceJid) =>
    waitFor(() => stack.store.messages.getByWaid(sessionId, chatId, waid), 20_000, `message ${waid}`);
  const send = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    stack.api('POST', `/v1/sessions/${sessionId}/messages`, body, {
      authorization: `Bearer ${sessionKey}`,
      ...headers,
    });
  const statusOf = async (id: string) =>
    (await stack.api('GET', `/v1/sessions/${sessionId}/messages/${id}`)).body.status;

  beforeAll(async () => {
    stack = await startServerStack(backend);
    const paired = await pairOverHttp(stack, 'messaging', '15552220001');
    sessionId = paired.id;
    sessionKey = paired.apiKey;
    deviceJid = paired.session.deviceJid;
    alice = stack.sim.contact(ALICE, { name: 'Alice' });
    sse = collectSse(stack, `sessionId=${sessionId}&types=message.*`, {
      authorization: `Bearer ${sessionKey}`,
    });
    await sse.ready;
  });
  afterAll(async () => {
    await sse?.stop();
    await stack?.close();
  });

  it('stores every inbound type once, with its content, and announces it over SSE', async () => {
    const first = await alice.sendText(deviceJid, 'plain text');
    const cases: [string, Promise<string>, Record<string, unknown>][] = [
      ['text', Promise.resolve(first), { msgType: 'text', content: { text: 'plain text' } }],
      [
        'quote+mention',
        alice.send(deviceJid, {
          extendedTextMessage: {
            text: 'replying @15550009999',
            contextInfo: {
              stanzaId: first,
              participant: aliceJid,
              quotedMessage: { conversation: 'plain text' },
              mentionedJid: ['15550009999@s.whatsapp.net'],
            },
          },
        }),
        { msgType: 'text', quotedMsgId: first, metadata: { mentions: ['15550009999@s.whatsapp.net'] } },
      ],
      [
        'location',
        alice.send(deviceJid, {
          locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin' },
        }),
        { msgType: 'location', content: { latitude: 52.52, longitude: 13.405, name: 'Berlin' } },
      ],
      [
        'live location',
        alice.send(deviceJid, { liveLocationMessage: { degreesLatitude: 1.5, degreesLongitude: 2.5 } }),
        { msgType: 'location', content: { latitude: 1.5, longitude: 2.5, live: true } },
      ],
      [
        'contact',
        alice.send(deviceJid, {
          contactMessage: { displayName: 'Bob', vcard: 'BEGIN:VCARD\nFN:Bob\nEND:VCARD' },
        }),
        {
          msgType: 'contact',
          content: { contacts: [{ displayName: 'Bob', vcard: 'BEGIN:VCARD\nFN:Bob\nEND:VCARD' }] },
        },
      ],
      [
        'contacts',
        alice.send(deviceJid, {
          contactsArrayMessage: {
            displayName: '2 contacts',
            contacts: [
              { displayName: 'A', vcard: 'a' },
              { displayName: 'B', vcard: 'b' },
            ],
          },
        }),
        {
          msgType: 'contact',
          content: {
            contacts: [
              { displayName: 'A', vcard: 'a' },
              { displayName: 'B', vcard: 'b' },
            ],
          },
        },
      ],
      [
        'poll',
        alice.send(deviceJid, {
          pollCreationMessageV3: {
            name: 'Lunch?',
            options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }],
            selectableOptionsCount: 1,
          },
        }),
        { msgType: 'poll', content: { name: 'Lunch?', options: ['Pizza', 'Sushi'], selectableCount: 1 } },
      ],
      [
        'ephemeral',
        alice.send(deviceJid, { ephemeralMessage: { message: { conversation: 'disappearing' } } }),
        { msgType: 'text', content: { text: 'disappearing' }, metadata: { ephemeral: true } },
      ],
      [
        'view once',
        alice.send(deviceJid, { viewOnceMessageV2: { message: { conversation: 'once' } } }),
        { msgType: 'text', content: { text: 'once' }, metadata: { viewOnce: true } },
      ],
    ];
    for (const [label, sent, expected] of cases) {
      const waid = await sent;
      const message = await byWaid(waid);
      expect(message, label).toMatchObject({
        ...expected,
        isFromMe: false,
        senderJid: aliceJid,
        senderName: 'Alice',
      });
    }
    // a replay of the same waid does not create a second row
    await alice.send(deviceJid, { conversation: 'plain text' }, { id: first });
    await alice.sendText(deviceJid, 'barrier');
    await waitFor(
      async () =>
        (await stack.store.messages.list(sessionId, { chatId: aliceJid, limit: 200 })).items.some(
          (m) => m.content && 'text' in m.content && m.content.text === 'barrier',
        ),
      20_000,
      'barrier',
    );
    const all = (await stack.store.messages.list(sessionId, { chatId: aliceJid, limit: 200 })).items;
    expect(all.filter((m) => m.waid === first)).toHaveLength(1);
    const waids = await Promise.all(cases.map(([, sent]) => sent));
    await waitFor(
      () =>
        waids.every((w) =>
          sse.events.some(
            (e) =>
              e.type === 'message.received' && (e.data as { message: { waid: string } }).message.waid === w,
          ),
        ),
      20_000,
      'SSE events',
    );
    expect(
      sse.events.filter(
        (e) =>
          e.type === 'message.received' && (e.data as { message: { waid: string } }).message.waid === first,
      ),
    ).toHaveLength(1);
  });

  it('downloads inbound media of every kind and serves it with its content type', async () => {
    const kinds = [
      ['image', 'image/jpeg'],
      ['video', 'video/mp4'],
      ['audio', 'audio/ogg; codecs=opus'],
      ['document', 'application/pdf'],
      ['sticker', 'image/webp'],
    ] as const;
    for (const [kind, mimetype] of kinds) {
      const data = randomBytes(2048);
      const waid = await alice.sendMedia(deviceJid, {
        kind,
        data,
        mimetype,
        ...(kind === 'document' ? { fileName: 'report.pdf' } : {}),
        ...(kind === 'image' ? { caption: 'look' } : {}),
      });
      const message = await waitFor(
        async () => {
          const m = await stack.store.messages.getByWaid(sessionId, aliceJid, waid);
          return m?.mediaInfo?.path ? m : null;
        },
        20_000,
        `${kind} media`,
      );
      expect(message.msgType).toBe(kind);
      // core stores a reference; the server renders where it serves the file
      expect(message.mediaInfo).toMatchObject({ size: 2048, path: expect.any(String) });
      expect(message.mediaInfo).not.toHaveProperty('url');
      const served = await stack.api('GET', `/v1/sessions/${sessionId}/messages/${message.id}`);
      expect(served.body.mediaInfo.url).toBe(`/v1/sessions/${sessionId}/messages/${message.id}/media`);
      const response = await fetch(`${stack.baseUrl}${served.body.mediaInfo.url}`, {
        headers: { authorization: `Bearer ${sessionKey}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(mimetype);
      expect(Buffer.from(await response.arrayBuffer()).equals(data)).toBe(true);
    }
  });

  it('applies inbound reactions, edits and revokes to the stored message', async () => {
    const waid = await alice.sendText(deviceJid, 'original');
    const target = await byWaid(waid);
    await alice.react(deviceJid, waid, '👍');
    await waitFor(
      async () => (await stack.store.messages.get(sessionId, target.id))?.metadata.reactions?.length,
      20_000,
      'reaction',
    );
    await alice.edit(deviceJid, waid, 'edited');
    const edited = await waitFor(
      async () => {
        const m = await stack.store.messages.get(sessionId, target.id);
        return m?.content && 'text' in m.content && m.content.text === 'edited' ? m : null;
      },
      20_000,
      'edit',
    );
    expect(edited.metadata.reactions).toEqual([
      expect.objectContaining({ senderJid: aliceJid, emoji: '👍' }),
    ]);
    expect(edited.metadata.edits).toEqual([expect.objectContaining({ content: { text: 'original' } })]);
    await alice.revoke(deviceJid, waid);
    const revoked = await waitFor(
      async () => {
        const m = await stack.store.messages.get(sessionId, target.id);
        return m?.metadata.deletedAt ? m : null;
      },
      20_000,
      'revoke',
    );
    expect(revoked.content).toEqual({ text: 'edited' }); // kept for audit
    const types = sse.events
      .filter(
        (e) =>
          (e.data as { messageId?: string; message?: { id: string } }).messageId === target.id ||
          (e.data as { message?: { id: string } }).message?.id === target.id,
      )
      .map((e) => e.type);
    await waitFor(
      () =>
        ['message.reaction', 'message.edited', 'message.deleted'].every((t) =>
          sse.events.some((e) => e.type === t),
        ),
      10_000,
      'SSE reaction/edit/delete',
    );
    expect(types).toContain('message.received');
  });

  it('sends every type; the contact decrypts each and statuses reach read', async () => {
    const media = (bytes: Buffer) => ({ base64: bytes.toString('base64') });
    const image = randomBytes(1500);
    const doc = randomBytes(3000);
    // biome-ignore lint/suspicious/noExplicitAny: each check reads the decrypted proto message loosely
    const bodies: [Record<string, unknown>, (m: Record<string, any>) => void][] = [
      [
        { type: 'text', to: ALICE, text: 'hello Alice' },
        (m) => expect(m.conversation ?? m.extendedTextMessage?.text).toBe('hello Alice'),
      ],
      [
        { type: 'image', to: ALICE, media: media(image), mimeType: 'image/jpeg', caption: 'pic' },
        (m) => {
          expect(m.imageMessage.caption).toBe('pic');
          expect(stack.sim.readUploadedMedia(m.imageMessage, 'image').equals(image)).toBe(true);
        },
      ],
      [
        { type: 'video', to: ALICE, media: media(randomBytes(1000)), mimeType: 'video/mp4' },
        (m) => expect(m.videoMessage.mimetype).toBe('video/mp4'),
      ],
      [
        { type: 'audio', to: ALICE, media: media(randomBytes(800)), voiceNote: true },
        (m) => expect(m.audioMessage.ptt).toBe(true),
      ],
      [
        { type: 'document', to: ALICE, media: media(doc), mimeType: 'application/pdf', fileName: 'a.pdf' },
        (m) => {
          expect(m.documentMessage.fileName).toBe('a.pdf');
          expect(stack.sim.readUploadedMedia(m.documentMessage, 'document').equals(doc)).toBe(true);
        },
      ],
      [
        { type: 'sticker', to: ALICE, media: media(randomBytes(500)) },
        (m) => expect(m.stickerMessage.mimetype).toBe('image/webp'),
      ],
      [
        { type: 'location', to: ALICE, latitude: 48.85, longitude: 2.35, name: 'Paris' },
        (m) =>
          expect(m.locationMessage).toMatchObject({
            degreesLatitude: 48.85,
            degreesLongitude: 2.35,
            name: 'Paris',
          }),
      ],
      [
        { type: 'contact', to: ALICE, contacts: [{ name: 'Carol', phoneNumber: '+15550007777' }] },
        (m) =>
          expect(m.contactMessage?.vcard ?? m.contactsArrayMessage?.contacts?.[0]?.vcard).toContain(
            'waid=15550007777',
          ),
      ],
      [
        { type: 'poll', to: ALICE, name: 'Tea?', options: ['Yes', 'No'] },
        (m) => {
          const poll = m.pollCreationMessage ?? m.pollCreationMessageV2 ?? m.pollCreationMessageV3;
          expect(poll.name).toBe('Tea?');
          expect(poll.options.map((o: { optionName: string }) => o.optionName)).toEqual(['Yes', 'No']);
        },
      ],
    ];
    const sent: string[] = [];
    for (const [body, check] of bodies) {
      const response = await send(body);
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      expect(response.body.status).toBe('pending');
      const got = await alice.waitForMessage((m) => m.id === response.body.waid && !m.ownCopy, {
        timeoutMs: 20_000,
      });
      // biome-ignore lint/suspicious/noExplicitAny: as `bodies`
      check(got.message as Record<string, any>);
      sent.push(response.body.id);
    }
    for (const id of sent) await waitFor(async () => (await statusOf(id)) === 'read', 20_000, `read ${id}`);
    const readEvents = () =>
      sse.events.filter(
        (e) =>
          e.type === 'message.status' &&
          (e.data as { status: string }).status === 'read' &&
          sent.includes((e.data as { messageId: string }).messageId),
      );
    await waitFor(() => readEvents().length === sent.length, 10_000, 'read events over SSE');
    expect(new Set(readEvents().map((e) => (e.data as { messageId: string }).messageId))).toEqual(
      new Set(sent),
    );
  });

  it('sends once per Idempotency-Key (another body with it is a 409) and rejects an invalid recipient', async () => {
    const body = { type: 'text', to: ALICE, text: 'exactly once' };
    const first = await send(body, { 'idempotency-key': 'order-42' });
    const second = await send(
      { to: ALICE, text: 'exactly once', type: 'text' },
      { 'idempotency-key': 'order-42' },
    );
    expect(first.status).toBe(202);
    expect(first.body.origin).toBe('api');
    expect(second.body.id).toBe(first.body.id);
    const reused = await send({ ...body, text: 'another order' }, { 'idempotency-key': 'order-42' });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await alice.waitForMessage((m) => m.id === first.body.waid, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.sim.messages.filter((m) => m.id === first.body.waid && !m.ownCopy)).toHaveLength(1);
    const invalid = await send({ type: 'text', to: 'not-a-number', text: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('INVALID_RECIPIENT');
  });

  it('marks a message WhatsApp refuses after accepting it (error ack 463) failed, with the code', async () => {
    const stranger = stack.sim.contact('15552220077', { name: 'Stranger' });
    stack.sim.restrictReachOut(deviceJid);
    try {
      const cold = await send({ type: 'text', to: '15552220077', text: 'cold outreach' });
      expect(cold.status).toBe(202);
      await waitFor(async () => (await statusOf(cold.body.id)) === 'failed', 20_000, 'failed');
      const stored = await stack.api('GET', `/v1/sessions/${sessionId}/messages/${cold.body.id}`);
      expect(stored.body.metadata.error).toBe('463');
      const failed = await waitFor(
        () => sse.events.find((e) => e.type === 'message.status' && e.data.messageId === cold.body.id),
        20_000,
        'message.status failed',
      );
      expect(failed.data).toMatchObject({ status: 'failed', error: '463', waid: cold.body.waid });
      // a chat that already exists keeps working under the restriction
      const warm = await send({ type: 'text', to: ALICE, text: 'still fine' });
      await alice.waitForMessage((m) => m.id === warm.body.waid, { timeoutMs: 20_000 });
      expect(stranger.received.some((m) => m.id === cold.body.waid)).toBe(false);
    } finally {
      stack.sim.restrictReachOut(deviceJid, false);
    }
  });

  it('refuses a text to a number the simulator does not know (not on WhatsApp) with 404 NOT_ON_WHATSAPP', async () => {
    const res = await send({ type: 'text', to: '15559990001', text: 'anyone there?' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_ON_WHATSAPP' });
    expect(stack.sim.messages.some((m) => m.to.startsWith('15559990001'))).toBe(false);
    // a known contact is checked once and goes out
    expect((await send({ type: 'text', to: ALICE, text: 'still there?', checkNumber: true })).status).toBe(
      202,
    );
  });

  it('replies quoting a message; the contact sees the quoted text', async () => {
    const original = await byWaid(await alice.sendText(deviceJid, 'which plan fits me?'));
    const reply = await send({
      type: 'text',
      to: ALICE,
      text: 'the yearly one',
      quotedMessageId: original.id,
    });
    expect(reply.status).toBe(202);
    expect(reply.body.quotedMsgId).toBe(original.waid);
    const got = await alice.waitForMessage((m) => m.id === reply.body.waid && !m.ownCopy, {
      timeoutMs: 20_000,
    });
    const context = got.message.extendedTextMessage?.contextInfo;
    expect(got.message.extendedTextMessage?.text).toBe('the yearly one');
    expect(context?.stanzaId).toBe(original.waid);
    expect(context?.quotedMessage?.conversation).toBe('which plan fits me?');
  });

  it('edits, reacts to and revokes its own messages; the contact sees each', async () => {
    const sent = await send({ type: 'text', to: ALICE, text: 'typo' });
    await alice.waitForMessage((m) => m.id === sent.body.waid, { timeoutMs: 20_000 });
    const edited = await stack.api('PATCH', `/v1/sessions/${sessionId}/messages/${sent.body.id}`, {
      text: 'fixed',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.content).toEqual({ text: 'fixed' });
    const edit = await alice.waitForMessage((m) => !!m.message.protocolMessage?.editedMessage, {
      timeoutMs: 20_000,
    });
    expect(edit.message.protocolMessage?.key?.id).toBe(sent.body.waid);
    expect(edit.message.protocolMessage?.editedMessage?.extendedTextMessage?.text).toBe('fixed');
    const react = await send({ type: 'reaction', to: ALICE, messageId: sent.body.id, emoji: '🎉' });
    expect(react.status).toBe(202);
    const reaction = await alice.waitForMessage((m) => !!m.message.reactionMessage, { timeoutMs: 20_000 });
    expect(reaction.message.reactionMessage).toMatchObject({ text: '🎉', key: { id: sent.body.waid } });
    const revoked = await stack.api('DELETE', `/v1/sessions/${sessionId}/messages/${sent.body.id}`);
    expect(revoked.status).toBe(200);
    const revoke = await alice.waitForMessage((m) => m.message.protocolMessage?.type === 0, {
      timeoutMs: 20_000,
    });
    expect(revoke.message.protocolMessage?.key?.id).toBe(sent.body.waid);
  });

  it('receives group messages with their sender and sends to a group', async () => {
    const bob = stack.sim.contact('15552220003', { name: 'Bob' });
    const group = stack.sim.createGroup({ subject: 'Team', participants: [alice, bob, '15552220001'] });
    const fromAlice = await alice.sendGroupText(group.jid, 'hi team');
    const fromBob = await bob.sendGroupText(group.jid, 'hello');
    const a = await byWaid(fromAlice, group.jid);
    const b = await byWaid(fromBob, group.jid);
    expect(a).toMatchObject({ chatId: group.jid, senderJid: aliceJid, content: { text: 'hi team' } });
    expect(b).toMatchObject({
      chatId: group.jid,
      senderJid: '15552220003@s.whatsapp.net',
      content: { text: 'hello' },
    });
    const chat = await stack.api('GET', `/v1/sessions/${sessionId}/chats/${group.jid}`);
    expect(chat.body).toMatchObject({ isGroup: true });
    const sent = await send({ type: 'text', to: group.jid, text: 'hello from the gateway' });
    expect(sent.status).toBe(202);
    for (const member of [alice, bob]) {
      const got = await member.waitForMessage((m) => m.id === sent.body.waid && m.group === group.jid, {
        timeoutMs: 20_000,
      });
      expect(got.message.conversation ?? got.message.extendedTextMessage?.text).toBe(
        'hello from the gateway',
      );
    }
    const groupInfo = await stack.api('GET', `/v1/sessions/${sessionId}/groups/${group.jid}`);
    expect(groupInfo.status).toBe(200);
    expect(groupInfo.body.subject).toBe('Team');
    expect(groupInfo.body.participants.map((p: { jid: string }) => p.jid).sort()).toEqual(
      [aliceJid, '15552220001@s.whatsapp.net', '15552220003@s.whatsapp.net'].sort(),
    );
  });
});
