import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Simulator, startSimulator, trustSimulatorRoot } from '../src/index.js';
import { eventually, openSocket, pairDevice, type TestDevice, textOf, waitForOpen } from './helpers.js';

describe('session lifecycle', () => {
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

  it('pairs with a pairing code for the requested number', async () => {
    const { device, paired } = await pairDevice(sim, { method: 'code', phoneNumber: '15550009999' });
    sockets.push(device);
    expect(paired.method).toBe('code');
    expect(paired.deviceJid).toMatch(/^15550009999:\d+@s\.whatsapp\.net$/);
    expect(paired.deviceSignatureValid).toBe(true);
    expect(device.sock.user?.id).toBe(paired.deviceJid);
  });

  it('reconnects with saved creds without pairing again', async () => {
    const { device, paired } = await pairDevice(sim, { phoneNumber: '15550004444' });
    device.sock.end(undefined);
    await device.closed;
    let sawQr = false;
    const again = openSocket(sim, device.auth);
    sockets.push(again);
    await waitForOpen(again, (update) => {
      if (update.qr) sawQr = true;
    });
    expect(sawQr).toBe(false);
    expect(again.sock.user?.id).toBe(paired.deviceJid);
    expect(sim.devices().find((d) => d.deviceJid === paired.deviceJid)?.online).toBe(true);
  });

  it('logout injection closes the socket with loggedOut (401) and later logins fail', async () => {
    const { device, paired } = await pairDevice(sim);
    await sim.logout(paired.deviceJid);
    expect(await device.closed).toBe(DisconnectReason.loggedOut);
    const retry = openSocket(sim, device.auth);
    expect(await retry.closed).toBe(DisconnectReason.loggedOut);
    expect(sim.devices().some((d) => d.deviceJid === paired.deviceJid)).toBe(false);
  });

  it('replaceConnection closes the socket with connectionReplaced (440)', async () => {
    const { device, paired } = await pairDevice(sim);
    sim.replaceConnection(paired.deviceJid);
    expect(await device.closed).toBe(DisconnectReason.connectionReplaced);
  });

  it('after a dropped socket the app reconnects and receives what was sent meanwhile', async () => {
    const { device, paired } = await pairDevice(sim);
    const carol = sim.contact('15550005555', { name: 'Carol' });
    sim.dropConnection(paired.deviceJid);
    const code = await device.closed;
    expect(code).not.toBe(DisconnectReason.loggedOut);
    const offlineId = await carol.sendText(paired.deviceJid, 'sent while offline');
    const reconnected = openSocket(sim, device.auth);
    sockets.push(reconnected);
    await waitForOpen(reconnected);
    const got = await eventually(
      () => reconnected.upserts.find((m) => m.key.id === offlineId),
      10_000,
      'offline msg',
    );
    expect(textOf(got.message)).toBe('sent while offline');
    const sent = await reconnected.sock.sendMessage(carol.jid, { text: 'back online' });
    expect(textOf((await carol.waitForMessage((m) => m.id === sent?.key.id)).message)).toBe('back online');
  });

  it('stopAnsweringPings makes a client with a short keep-alive give up (408)', async () => {
    const { device, paired } = await pairDevice(sim);
    device.sock.end(undefined);
    await device.closed;
    const quick = openSocket(sim, device.auth, { keepAliveIntervalMs: 300 });
    await waitForOpen(quick);
    sim.stopAnsweringPings(paired.deviceJid);
    expect(await quick.closed).toBe(DisconnectReason.connectionLost);
  });

  it('detectDeadPeers ends a connection that stops answering WebSocket pings (a frozen client), and only that one', async () => {
    const { device, paired } = await pairDevice(sim);
    sockets.push(device);
    // a client that never answers pings, as a process stopped with SIGSTOP
    const frozen = new WebSocket(sim.url, { autoPong: false });
    await new Promise((resolve, reject) => frozen.once('open', resolve).once('error', reject));
    const frozenClosed = new Promise((resolve) => frozen.once('close', resolve));
    const disconnects: (string | undefined)[] = [];
    sim.on('disconnect', (event) => disconnects.push(event.deviceJid));
    const dropped: { deviceJid: string | undefined; connectionId: number }[] = [];
    sim.on('peer-dropped', (event) => dropped.push(event));
    sim.detectDeadPeers(100);
    try {
      await frozenClosed;
      // the live Baileys device answered every ping meanwhile: still online
      expect(sim.devices().find((d) => d.deviceJid === paired.deviceJid)?.online).toBe(true);
      expect(disconnects).not.toContain(paired.deviceJid);
      // the drop is announced: the frozen socket never logged in, so it has no device
      expect(dropped).toEqual([{ deviceJid: undefined, connectionId: expect.any(Number) }]);
      expect(dropped[0]?.connectionId).toBeGreaterThan(0);
    } finally {
      sim.detectDeadPeers(false);
    }
  });
});
