import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator, trustSimulatorRoot } from '../src/index.js';
import { eventually, pairDevice, type TestDevice, textOf } from './helpers.js';

describe('1:1 messaging with a QR-paired Baileys client', () => {
  let sim: Simulator;
  let device: TestDevice;
  let deviceJid: string;

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
    const result = await pairDevice(sim, { phoneNumber: '15550001111', pushName: 'Gateway' });
    device = result.device;
    deviceJid = result.paired.deviceJid;
  });

  afterAll(async () => {
    device?.sock.end(undefined);
    await sim?.close();
  });

  it('pairs by QR and opens with the account the phone chose', () => {
    expect(deviceJid).toMatch(/^15550001111:\d+@s\.whatsapp\.net$/);
    expect(device.sock.user?.id).toBe(deviceJid);
    expect(sim.devices()).toEqual([expect.objectContaining({ deviceJid, online: true })]);
  });

  it('delivers inbound Signal text (pkmsg then msg) as messages.upsert', async () => {
    const alice = sim.contact('15550002222', { name: 'Alice' });
    const first = await alice.sendText(deviceJid, 'hello from Alice');
    const second = await alice.sendText('15550001111', 'second message');
    const one = await eventually(
      () => device.upserts.find((m) => m.key.id === first),
      10_000,
      'first upsert',
    );
    const two = await eventually(
      () => device.upserts.find((m) => m.key.id === second),
      10_000,
      'second upsert',
    );
    expect(textOf(one.message)).toBe('hello from Alice');
    expect(one.key).toMatchObject({ remoteJid: '15550002222@s.whatsapp.net', fromMe: false });
    expect(one.pushName).toBe('Alice');
    expect(textOf(two.message)).toBe('second message');
  });

  it('decrypts outbound text as the contact; status goes delivered (3) then read (4)', async () => {
    const bob = sim.contact('15550003333', { name: 'Bob' });
    const sent = await device.sock.sendMessage(bob.jid, { text: 'hi Bob' });
    const got = await bob.waitForMessage((m) => m.id === sent?.key.id);
    expect(textOf(got.message)).toBe('hi Bob');
    expect(got.from).toBe(deviceJid);
    const statuses = () =>
      device.updates.filter((u) => u.key.id === sent?.key.id).map((u) => u.update.status);
    await eventually(() => statuses().includes(4), 10_000, 'read status');
    expect(statuses()).toEqual([3, 4]);
  });
});
