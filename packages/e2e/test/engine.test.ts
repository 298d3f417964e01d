import { randomBytes } from 'node:crypto';
import { memoryStore } from '@zapgate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, pairByQr, type Stack, startStack, waitFor } from './stack.js';

describe('WhatsApp engine on wa-sim (gateway level)', () => {
  let stack: Stack;
  let sessionId: string;
  let deviceJid: string;

  beforeAll(async () => {
    stack = await startStack(memoryStore());
    const session = await pairByQr(stack, 'main', '15550001111');
    sessionId = session.id;
    deviceJid = session.deviceJid!;
  });
  afterAll(() => stack?.close());

  it('pairs by QR and stores device, phone number and events', async () => {
    const session = await stack.store.sessions.get(sessionId);
    expect(session).toMatchObject({ status: 'connected', phoneNumber: '15550001111', qr: null });
    expect(session?.deviceJid).toMatch(/^15550001111:\d+@s\.whatsapp\.net$/);
    const statuses = (await eventsOf(stack.store, 'session.status', sessionId)).map(
      (e) => (e.data as { status: string }).status,
    );
    expect(statuses).toContain('qr');
    expect(statuses.at(-1)).toBe('connected');
    expect(await eventsOf(stack.store, 'session.qr', sessionId)).not.toHaveLength(0);
  });

  it('stores an inbound text once and announces it', async () => {
    const alice = stack.sim.contact('15550002222', { name: 'Alice' });
    const waid = await alice.sendText(deviceJid, 'hello gateway');
    const message = await waitFor(
      () => stack.store.messages.getByWaid(sessionId, '15550002222@s.whatsapp.net', waid),
      20_000,
      'inbound',
    );
    expect(message).toMatchObject({
      msgType: 'text',
      content: { text: 'hello gateway' },
      isFromMe: false,
      senderName: 'Alice',
    });
    const received = await eventsOf(stack.store, 'message.received', sessionId);
    expect(
      received.filter((e) => (e.data as { message: { waid: string } }).message.waid === waid),
    ).toHaveLength(1);
  });

  it('sends a text the contact decrypts, and follows receipts to read', async () => {
    const bob = stack.sim.contact('15550003333', { name: 'Bob' });
    const pending = await stack.gateway.messages.send(sessionId, {
      type: 'text',
      to: '15550003333',
      text: 'hi Bob',
    });
    expect(pending.status).toBe('pending');
    const got = await bob.waitForMessage((m) => m.id === pending.waid, { timeoutMs: 20_000 });
    expect(got.message.conversation ?? got.message.extendedTextMessage?.text).toBe('hi Bob');
    await waitFor(
      async () => (await stack.store.messages.get(sessionId, pending.id))?.status === 'read',
      20_000,
      'read',
    );
    const statuses = (await eventsOf(stack.store, 'message.status', sessionId))
      .filter((e) => (e.data as { messageId: string }).messageId === pending.id)
      .map((e) => (e.data as { status: string }).status);
    expect(statuses).toEqual(['delivered', 'read']);
  });

  it('downloads inbound media into the media store with its hash', async () => {
    const carol = stack.sim.contact('15550004444', { name: 'Carol' });
    const bytes = randomBytes(4096);
    const waid = await carol.sendMedia(deviceJid, {
      kind: 'document',
      data: bytes,
      mimetype: 'application/pdf',
      fileName: 'x.pdf',
    });
    const message = await waitFor(
      async () => {
        const m = await stack.store.messages.getByWaid(sessionId, '15550004444@s.whatsapp.net', waid);
        return m?.mediaInfo?.path ? m : null;
      },
      20_000,
      'media stored',
    );
    expect(message.msgType).toBe('document');
    expect(message.mediaInfo).toMatchObject({ mimeType: 'application/pdf', size: 4096 });
    const stream = await stack.gateway.mediaStore!.get(message.mediaInfo!.path!);
    const chunks: Buffer[] = [];
    for await (const chunk of stream!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });
});
