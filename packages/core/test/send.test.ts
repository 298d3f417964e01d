import { afterEach, describe, expect, it, vi } from 'vitest';
import { definePlugin } from '../src/plugin/types.js';
import { eventsOf, type Harness, rejectsWith, startGateway, waitFor } from './helpers.js';

const bob = '15550002222@s.whatsapp.net';
let h: Harness;
afterEach(() => h.gateway.stop());

async function connected(options: Parameters<typeof startGateway>[0] = {}) {
  h = await startGateway(options);
  const session = await h.gateway.sessions.create({ name: 'main' });
  await h.gateway.sessions.connect(session.id);
  const control = h.fake.session(session.id);
  await control.open();
  return { session, control };
}

describe('sending', () => {
  it('stores the message as pending, returns it, then marks it sent and announces it', async () => {
    const { session, control } = await connected();
    const pending = await h.gateway.messages.send(session.id, {
      type: 'text',
      to: '+15550002222',
      text: 'hi',
    });
    expect(pending).toMatchObject({
      sessionId: session.id,
      chatId: bob,
      msgType: 'text',
      content: { text: 'hi' },
      isFromMe: true,
      status: 'pending',
    });
    await waitFor(async () =>
      expect((await h.store.messages.get(session.id, pending.id))?.status).toBe('sent'),
    );
    const sent = await eventsOf(h.store, 'message.sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.data).toEqual({ message: { ...pending, status: 'sent' } });
    expect(control.sends).toHaveLength(1);
    expect(control.sends[0]).toMatchObject({
      to: bob,
      content: { type: 'text', text: 'hi' },
      options: { waid: pending.waid },
    });
  });

  it("stores the vote key a poll got when sent, keeping the pending message's metadata", async () => {
    const { session, control } = await connected();
    const pending = await h.gateway.messages.send(session.id, {
      type: 'poll',
      to: bob,
      name: 'Tea?',
      options: ['Yes', 'No'],
      mentions: ['15550003333'],
    });
    expect(pending.metadata).toEqual({ mentions: ['15550003333'] });
    const sent = await waitFor(async () => {
      const message = await h.store.messages.get(session.id, pending.id);
      expect(message?.status).toBe('sent');
      return message!;
    });
    const secret = control.sends[0]?.result?.message.metadata?.messageSecret;
    expect(Buffer.from(secret ?? '', 'base64')).toHaveLength(32);
    expect(sent.metadata).toEqual({ mentions: ['15550003333'], messageSecret: secret });
    const [event] = await eventsOf(h.store, 'message.sent');
    expect(event?.data).toEqual({ message: sent });
  });

  it('returns the first message for a repeated idempotency key and request, refuses the key for another request, sends once', async () => {
    const { session, control } = await connected();
    const body = { type: 'text' as const, to: '15550002222', text: 'once' };
    const first = await h.gateway.messages.send(session.id, body, { idempotencyKey: 'k-1' });
    const second = await h.gateway.messages.send(session.id, body, { idempotencyKey: 'k-1' });
    expect(second.id).toBe(first.id);
    await waitFor(async () =>
      expect((await h.store.messages.get(session.id, first.id))?.status).toBe('sent'),
    );
    const third = await h.gateway.messages.send(session.id, body, { idempotencyKey: 'k-1' });
    expect(third).toMatchObject({ id: first.id, status: 'sent' });
    const reordered = { text: 'once', to: '15550002222', type: 'text' as const };
    expect((await h.gateway.messages.send(session.id, reordered, { idempotencyKey: 'k-1' })).id).toBe(
      first.id,
    );
    const reused = await rejectsWith(
      h.gateway.messages.send(session.id, { ...body, text: 'twice' }, { idempotencyKey: 'k-1' }),
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(reused).toMatchObject({ statusCode: 409 });
    expect(control.sends).toHaveLength(1);
    expect((await h.store.messages.list(session.id)).items).toHaveLength(1);
  });

  it('refuses an invalid recipient and a disconnected session', async () => {
    const { session, control } = await connected();
    await rejectsWith(
      h.gateway.messages.send(session.id, { type: 'text', to: 'garbage', text: 'x' }),
      'INVALID_RECIPIENT',
    );
    await rejectsWith(
      h.gateway.messages.send(session.id, { type: 'text', to: 'abc@s.whatsapp.net', text: 'x' }),
      'INVALID_RECIPIENT',
    );
    expect((await h.store.messages.list(session.id)).items).toEqual([]);
    await h.gateway.sessions.disconnect(session.id);
    await rejectsWith(
      h.gateway.messages.send(session.id, { type: 'text', to: bob, text: 'x' }),
      'SESSION_NOT_CONNECTED',
    );
    expect(control.sends).toEqual([]);
  });

  it('refuses a number that is not on WhatsApp when asked to check', async () => {
    const { session } = await connected({ fake: { onWhatsApp: (n) => n !== '15550003333' } });
    await rejectsWith(
      h.gateway.messages.send(session.id, { type: 'text', to: '15550003333', text: 'x', checkNumber: true }),
      'NOT_ON_WHATSAPP',
    );
    const ok = await h.gateway.messages.send(session.id, {
      type: 'text',
      to: bob,
      text: 'x',
      checkNumber: true,
    });
    expect(ok.chatId).toBe(bob);
  });

  it('marks a message failed, with the reason, when the connector cannot send it', async () => {
    const { session, control } = await connected();
    control.failSends(new Error('socket gone'));
    const pending = await h.gateway.messages.send(session.id, { type: 'text', to: bob, text: 'x' });
    await waitFor(async () =>
      expect((await h.store.messages.get(session.id, pending.id))?.status).toBe('failed'),
    );
    expect((await h.store.messages.get(session.id, pending.id))?.metadata).toEqual({ error: 'socket gone' });
    const statuses = await eventsOf(h.store, 'message.status');
    expect(statuses.map((e) => e.data)).toEqual([
      { messageId: pending.id, chatId: bob, waid: pending.waid, status: 'failed', previous: 'pending' },
    ]);
    expect(await eventsOf(h.store, 'message.sent')).toEqual([]);
  });
});

describe('the session a send names', () => {
  it('is not read from the store while its socket is open on this node; is read once it is not', async () => {
    const { session, control } = await connected();
    const reads = vi.spyOn(h.store.sessions, 'get');
    const first = await h.gateway.messages.send(session.id, { type: 'text', to: bob, text: 'a' });
    expect(reads).not.toHaveBeenCalled();
    await waitFor(() => expect(control.sends).toHaveLength(1));
    expect(control.sends[0]?.options).toMatchObject({ waid: first.waid });

    await h.gateway.sessions.disconnect(session.id);
    reads.mockClear();
    await rejectsWith(
      h.gateway.messages.send(session.id, { type: 'text', to: bob, text: 'b' }),
      'SESSION_NOT_CONNECTED',
    );
    expect(reads).toHaveBeenCalledWith(session.id);
    expect((await h.store.messages.list(session.id)).items.map((m) => m.id)).toEqual([first.id]);
  });

  it('whose socket drops while beforeSend hooks run is refused as its stored row says, storing nothing', async () => {
    let drop: (() => Promise<void>) | undefined;
    const dropper = definePlugin({
      id: 'dropper',
      version: '1.0.0',
      hooks: {
        beforeSend: async () => {
          await drop?.();
        },
      },
    });
    const { session, control } = await connected({ plugins: [dropper] });
    drop = async () => {
      await control.close('logged_out', 'logged out from the phone');
      await waitFor(async () =>
        expect((await h.store.sessions.get(session.id))?.status).not.toBe('connected'),
      );
    };
    await rejectsWith(
      h.gateway.messages.send(session.id, { type: 'text', to: bob, text: 'x' }),
      'SESSION_NOT_CONNECTED',
    );
    expect(control.sends).toEqual([]);
    expect((await h.store.messages.list(session.id)).items).toEqual([]);
  });
});

describe('send queue', () => {
  /** Holds every send of the session's socket until `release()`. */
  function holdSends(control: { connection: unknown }) {
    const connection = control.connection as { send: (...args: unknown[]) => Promise<unknown> };
    const send = connection.send.bind(connection);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    connection.send = async (...args) => {
      await gate;
      return send(...args);
    };
    return release;
  }
  const text = (n: number) => ({ type: 'text' as const, to: '+15550002222', text: `m${n}` });

  it('refuses a send past maxQueued with 429 SEND_QUEUE_FULL and a retry delay, storing nothing', async () => {
    const { session, control } = await connected({ tuning: { send: { maxQueued: 3 } } });
    const release = holdSends(control);
    for (let i = 0; i < 3; i++) await h.gateway.messages.send(session.id, text(i));
    const error = await rejectsWith(h.gateway.messages.send(session.id, text(3)), 'SEND_QUEUE_FULL');
    expect(error).toMatchObject({ statusCode: 429, retryAfterSeconds: expect.any(Number) });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await h.store.messages.list(session.id)).items).toHaveLength(3);
    release();
    await waitFor(async () => {
      const stored = (await h.store.messages.list(session.id)).items;
      return stored.every((m) => m.status === 'sent');
    });
    // the queue drained: sends are accepted again
    const again = await h.gateway.messages.send(session.id, text(4));
    expect(again.status).toBe('pending');
    await waitFor(() => control.sends.length === 4);
    expect(control.sends.map((s) => (s.content as { text: string }).text)).toEqual(['m0', 'm1', 'm2', 'm4']);
  });

  it('one session with a full queue does not refuse another session', async () => {
    const { session, control } = await connected({ tuning: { send: { maxQueued: 1 } } });
    const other = await h.gateway.sessions.create({ name: 'other' });
    await h.gateway.sessions.connect(other.id);
    await h.fake.session(other.id).open();
    const release = holdSends(control);
    await h.gateway.messages.send(session.id, text(0));
    await rejectsWith(h.gateway.messages.send(session.id, text(1)), 'SEND_QUEUE_FULL');
    expect((await h.gateway.messages.send(other.id, text(2))).status).toBe('pending');
    release();
  });

  it('records a burst of sends in the order sent, each sent once, with one message.sent each', async () => {
    const { session, control } = await connected({ tuning: { send: { maxBatch: 7 } } });
    const release = holdSends(control);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await h.gateway.messages.send(session.id, text(i))).id);
    release();
    await waitFor(async () => (await eventsOf(h.store, 'message.sent')).length === 40);
    const sent = await eventsOf(h.store, 'message.sent');
    expect(sent.map((e) => (e.data as { message: { id: string } }).message.id)).toEqual(ids);
    expect(control.sends.map((s) => (s.content as { text: string }).text)).toEqual(
      ids.map((_, i) => `m${i}`),
    );
    for (const id of ids) expect((await h.store.messages.get(session.id, id))?.status).toBe('sent');
  });
});

describe('sends interrupted by a stop', () => {
  it('are marked failed with the reason and announced when the gateway starts again', async () => {
    const { session } = await connected();
    // a send stored as pending whose process died before sending (written as the kernel writes it)
    const { message: stranded } = await h.store.messages.insert({
      sessionId: session.id,
      chatId: bob,
      waid: '3EB0STRANDED',
      msgType: 'text',
      content: { text: 'lost in a crash' },
      senderJid: null,
      senderName: null,
      isFromMe: true,
      quotedMsgId: null,
      status: 'pending',
      timestamp: new Date().toISOString(),
    });
    const delivered = (
      await h.store.messages.insert({
        ...stranded,
        id: undefined,
        waid: '3EB0INBOUND',
        isFromMe: false,
        status: 'delivered',
      })
    ).message;
    await h.gateway.stop();

    h = await startGateway({ store: h.store });
    const after = await h.store.messages.get(session.id, stranded.id);
    expect(after).toMatchObject({
      status: 'failed',
      metadata: { error: 'The gateway stopped before the message was sent; send it again' },
    });
    expect((await h.store.messages.get(session.id, delivered.id))?.status).toBe('delivered');
    const events = (await eventsOf(h.store, 'message.status')).map((e) => e.data);
    expect(events).toEqual([
      { messageId: stranded.id, chatId: bob, waid: '3EB0STRANDED', status: 'failed', previous: 'pending' },
    ]);
  });
});
