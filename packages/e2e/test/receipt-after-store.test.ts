import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Repositories, Store } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayStore } from './server-stack.js';
import { eventsOf, pairByQr, type Stack, startStack, waitFor } from './stack.js';

type Receipt = { from: string; to: string; ids: string[]; type: string | undefined };

/** What {@link withFailingInserts} fails or holds, and counts. */
interface Failures {
  down: boolean;
  failures: number;
  /** While set, Signal session writes wait for it, then fail. */
  keysGate: Promise<void> | null;
  keyFailures: number;
  gate: Promise<void> | null;
  held: number;
}

/**
 * The store, whose inbound message inserts fail while `down` (the database away for them) and
 * wait while `gate` is set, and whose Signal session writes wait for `keysGate`, then fail.
 */
function withFailingInserts(store: Store, state: Failures) {
  const failing = (tx: Repositories): Repositories => ({
    ...tx,
    messages: {
      ...tx.messages,
      insertMany: async (messages) => {
        if (state.gate) {
          state.held++;
          await state.gate;
        }
        if (!state.down) return tx.messages.insertMany(messages);
        state.failures++;
        throw new Error('Connection terminated unexpectedly');
      },
    },
  });
  const wrapped: Store = {
    ...store,
    transaction: (fn) => store.transaction((tx) => fn(failing(tx))),
    auth: {
      ...store.auth,
      getCreds: (...args) => store.auth.getCreds(...args),
      getKeys: (...args) => store.auth.getKeys(...args),
      setCreds: (...args) => store.auth.setCreds(...args),
      clear: (...args) => store.auth.clear(...args),
      setKeys: async (sessionId, data, lease) => {
        if (state.keysGate && data.session) {
          state.keyFailures++;
          await state.keysGate;
          throw new Error('Connection terminated unexpectedly');
        }
        return store.auth.setKeys(sessionId, data, lease);
      },
    },
  };
  return wrapped;
}

// Baileys 7.0.0-rc14 sends the delivery receipt before it emits the message; patched, it
// awaits the gateway storing it (and its Signal keys) first, decrypting the next message
// meanwhile. WhatsApp (wa-sim) keeps what was not acknowledged.
describe('an inbound message is acknowledged to WhatsApp only once it is stored', () => {
  let stack: Stack;
  let drop: () => Promise<void>;
  let sessionId: string;
  let deviceJid: string;
  const receipts: Receipt[] = [];
  const failing: Failures = {
    down: false,
    failures: 0,
    keysGate: null,
    keyFailures: 0,
    gate: null,
    held: 0,
  };
  const receiptFor = (waid: string) => receipts.some((r) => r.from === deviceJid && r.ids.includes(waid));
  const copies = async (chatId: string, waid: string) =>
    (await stack.store.messages.list(sessionId, { limit: 1000 })).items.filter(
      (m) => m.chatId === chatId && m.waid === waid,
    ).length;

  beforeAll(async () => {
    const backend = await throwawayStore('postgres', await mkdtemp(path.join(tmpdir(), 'zapgate-e2e-')));
    drop = backend.drop;
    stack = await startStack(withFailingInserts(backend.store, failing), {
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
    failing.down = true;
    const waid = await alice.sendText(deviceJid, 'kept through a database blip');
    await waitFor(() => failing.failures >= 3, 30_000, 'failed stores');
    expect(receiptFor(waid)).toBe(false);
    failing.down = false;
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
    failing.down = true;
    const waid = await bob.sendText(deviceJid, 'kept through an outage');
    await waitFor(() => disconnects.length > 0, 60_000, 'the gateway dropping its socket');
    expect(receiptFor(waid)).toBe(false);
    failing.down = false;
    await waitFor(() => receiptFor(waid), 60_000, 'the receipt after redelivery');
    stack.sim.off('disconnect', onDisconnect);
    expect(await copies('15557779002@s.whatsapp.net', waid)).toBe(1);
    await waitFor(
      async () => (await stack.store.sessions.get(sessionId))?.status === 'connected',
      60_000,
      'connected again',
    );
  });

  it('decrypts and stores a backlog that arrives while a message is stored in arrival order, each acknowledged once stored', async () => {
    const dana = stack.sim.contact('15557779003', { name: 'Dana' });
    let open: () => void = () => {};
    failing.held = 0;
    failing.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const waids = [await dana.sendText(deviceJid, 'text 1')];
    await waitFor(() => failing.held >= 1, 30_000, 'the first store under way');
    // a backlog: Baileys takes them all in while the first is stored
    const rest = Array.from({ length: 60 }, (_, i) => dana.sendText(deviceJid, `text ${i + 2}`));
    waids.push(...(await Promise.all(rest)));
    expect(waids.filter(receiptFor)).toEqual([]);
    failing.gate = null;
    open();
    await waitFor(() => waids.every(receiptFor), 60_000, 'every receipt');
    const chatId = '15557779003@s.whatsapp.net';
    for (const waid of waids) expect(await copies(chatId, waid)).toBe(1);
    const announced = (await eventsOf(stack.store, 'message.received', sessionId))
      .map((e) => (e.data as { message: { waid: string } }).message.waid)
      .filter((waid) => waids.includes(waid));
    expect(announced).toEqual(waids);
  });

  it('withholds the receipt of a stored message until its Signal keys are; a lost key write means WhatsApp delivers it again', async () => {
    const erin = stack.sim.contact('15557779004', { name: 'Erin' });
    const chatId = '15557779004@s.whatsapp.net';
    const disconnects: unknown[] = [];
    const onDisconnect = (event: { deviceJid?: string }) => {
      if (event.deviceJid === deviceJid) disconnects.push(event);
    };
    stack.sim.on('disconnect', onDisconnect);
    let failKeys: () => void = () => {};
    failing.keyFailures = 0;
    failing.keysGate = new Promise<void>((resolve) => {
      failKeys = resolve;
    });
    const waid = await erin.sendText(deviceJid, 'decrypted with keys that did not last');
    // the message is stored while the key write of its decryption is still under way
    await waitFor(async () => (await copies(chatId, waid)) === 1, 30_000, 'the message stored');
    expect(failing.keyFailures).toBeGreaterThan(0);
    failing.keysGate = null;
    failKeys();
    await waitFor(() => disconnects.length > 0, 60_000, 'the gateway dropping its socket');
    expect(receiptFor(waid)).toBe(false);
    await waitFor(() => receiptFor(waid), 60_000, 'the receipt after redelivery');
    stack.sim.off('disconnect', onDisconnect);
    // the copy delivered again was decrypted with the keys the store kept: a delivery receipt,
    // never a retry request (what a decryption failure sends)
    const forIt = receipts.filter((r) => r.from === deviceJid && r.ids.includes(waid));
    expect(forIt.map((r) => r.type ?? 'delivery')).not.toContain('retry');
    const stored = (await stack.store.messages.list(sessionId, { limit: 1000 })).items.filter(
      (m) => m.chatId === chatId && m.waid === waid,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.content).toEqual({ text: 'decrypted with keys that did not last' });
  });
});
