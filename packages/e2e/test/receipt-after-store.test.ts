import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Repositories, Store } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayStore } from './server-stack.js';
import { eventsOf, pairByQr, type Stack, startStack, waitFor } from './stack.js';

type Receipt = { from: string; to: string; ids: string[]; type: string | undefined };

/** The store, whose inbound message inserts fail while `down` (the database away for them). */
function withFailingInserts(store: Store) {
  const state = { down: false, failures: 0 };
  const failing = (tx: Repositories): Repositories => ({
    ...tx,
    messages: {
      ...tx.messages,
      insertMany: (messages) => {
        if (!state.down) return tx.messages.insertMany(messages);
        state.failures++;
        return Promise.reject(new Error('Connection terminated unexpectedly'));
      },
    },
  });
  const wrapped: Store = { ...store, transaction: (fn) => store.transaction((tx) => fn(failing(tx))) };
  return { store: wrapped, state };
}

// Baileys 7.0.0-rc14 sends the delivery receipt before it emits the message; patched, it
// awaits the gateway storing it first. WhatsApp (wa-sim) keeps what was not acknowledged.
describe('an inbound message is acknowledged to WhatsApp only once it is stored', () => {
  let stack: Stack;
  let drop: () => Promise<void>;
  let sessionId: string;
  let deviceJid: string;
  const receipts: Receipt[] = [];
  const failing = { state: { down: false, failures: 0 } };
  const receiptFor = (waid: string) => receipts.some((r) => r.from === deviceJid && r.ids.includes(waid));
  const copies = async (chatId: string, waid: string) =>
    (await stack.store.messages.list(sessionId, { limit: 1000 })).items.filter(
      (m) => m.chatId === chatId && m.waid === waid,
    ).length;

  beforeAll(async () => {
    const backend = await throwawayStore('postgres', await mkdtemp(path.join(tmpdir(), 'zapgate-e2e-')));
    drop = backend.drop;
    const wrapped = withFailingInserts(backend.store);
    failing.state = wrapped.state;
    stack = await startStack(wrapped.store, {
      tuning: {
        reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
        events: { pollIntervalMs: 100 },
        boot: { staggerMs: 20 },
        inbound: { retryMinMs: 50, retryMaxMs: 200, unacknowledgedMaxWaitMs: 3000 },
      },
    });
    stack.sim.on('receipt', (receipt) => receipts.push(receipt));
    const session = await pairByQr(stack, 'main', '15557770001');
    sessionId = session.id;
    deviceJid = session.deviceJid!;
  });
  afterAll(async () => {
    await stack?.close();
    await drop?.();
  });

  it('withholds the receipt while storing fails, and sends it once the message is stored', async () => {
    const alice = stack.sim.contact('15557779001', { name: 'Alice' });
    failing.state.down = true;
    const waid = await alice.sendText(deviceJid, 'kept through a database blip');
    await waitFor(() => failing.state.failures >= 3, 30_000, 'failed stores');
    expect(receiptFor(waid)).toBe(false);
    failing.state.down = false;
    await waitFor(() => receiptFor(waid), 30_000, 'the receipt after the store');
    expect(await copies('15557779001@s.whatsapp.net', waid)).toBe(1);
    const announced = (await eventsOf(stack.store, 'message.received', sessionId)).filter(
      (e) => (e.data as { message: { waid: string } }).message.waid === waid,
    );
    expect(announced).toHaveLength(1);
  });

  it('drops the socket when storing fails for too long; WhatsApp delivers the message again', async () => {
    const bob = stack.sim.contact('15557779002', { name: 'Bob' });
    const disconnects: unknown[] = [];
    const onDisconnect = (event: { deviceJid?: string }) => {
      if (event.deviceJid === deviceJid) disconnects.push(event);
    };
    stack.sim.on('disconnect', onDisconnect);
    failing.state.down = true;
    const waid = await bob.sendText(deviceJid, 'kept through an outage');
    await waitFor(() => disconnects.length > 0, 60_000, 'the gateway dropping its socket');
    expect(receiptFor(waid)).toBe(false);
    failing.state.down = false;
    await waitFor(() => receiptFor(waid), 60_000, 'the receipt after redelivery');
    stack.sim.off('disconnect', onDisconnect);
    expect(await copies('15557779002@s.whatsapp.net', waid)).toBe(1);
    await waitFor(
      async () => (await stack.store.sessions.get(sessionId))?.status === 'connected',
      60_000,
      'connected again',
    );
  });
});
