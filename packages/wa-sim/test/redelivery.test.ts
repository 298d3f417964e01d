import type { WAMessage } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator, trustSimulatorRoot } from '../src/index.js';
import { eventually, openSocket, pairDevice, type TestDevice, textOf, waitForOpen } from './helpers.js';

// WhatsApp keeps a message until the device acknowledges it (a receipt or an ack): one written
// to a socket that dies first is delivered again on the next connection.
describe('unacknowledged messages', () => {
  let sim: Simulator;
  const sockets: TestDevice[] = [];

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
  });

  afterAll(async () => {
    for (const device of sockets) device.sock.end(undefined);
    await sim?.close();
  });

  it('are delivered again on the next connection; acknowledged ones are not', async () => {
    const { device, paired } = await pairDevice(sim, { phoneNumber: '15550006666' });
    device.sock.end(undefined);
    await device.closed;
    const receipts: string[] = [];
    sim.on('receipt', (receipt) => {
      if (receipt.from === paired.deviceJid) receipts.push(...receipt.ids);
    });

    // a device that never finishes handling "held" (the receipt is sent after the patched
    // `beforeReceipt` hook, which hangs for it), as when a process dies before storing it
    const seen: WAMessage[] = [];
    const holding = openSocket(sim, device.auth, {
      beforeReceipt: async (msg) => {
        seen.push(msg);
        if (textOf(msg.message) === 'held') await new Promise(() => {});
      },
    });
    sockets.push(holding);
    await waitForOpen(holding);
    const dave = sim.contact('15550007777', { name: 'Dave' });
    const ackedId = await dave.sendText(paired.deviceJid, 'acked');
    await eventually(() => receipts.includes(ackedId), 20_000, 'receipt of the first message');
    const heldId = await dave.sendText(paired.deviceJid, 'held');
    await eventually(() => seen.some((m) => m.key.id === heldId), 20_000, 'the held message reached the app');
    expect(receipts).not.toContain(heldId);

    sim.dropConnection(paired.deviceJid);
    await holding.closed;
    const again = openSocket(sim, device.auth);
    sockets.push(again);
    await waitForOpen(again);
    const redelivered = await eventually(
      () => again.upserts.find((m) => m.key.id === heldId),
      20_000,
      'the unacknowledged message, delivered again',
    );
    expect(textOf(redelivered.message)).toBe('held');
    await eventually(() => receipts.includes(heldId), 20_000, 'its receipt this time');

    // queued messages come first on a connection: once a later one arrived, nothing else will
    const laterId = await dave.sendText(paired.deviceJid, 'later');
    await eventually(() => again.upserts.find((m) => m.key.id === laterId), 20_000, 'a later message');
    expect(again.upserts.map((m) => m.key.id)).not.toContain(ackedId);
    expect(again.upserts.filter((m) => m.key.id === heldId)).toHaveLength(1);
  });
});
