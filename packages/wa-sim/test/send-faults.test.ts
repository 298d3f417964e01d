import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator, trustSimulatorRoot } from '../src/index.js';
import { eventually, pairDevice, type TestDevice, textOf } from './helpers.js';

describe('send faults', () => {
  let sim: Simulator;
  let device: TestDevice;
  let deviceJid: string;

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
    const result = await pairDevice(sim, { phoneNumber: '15550006000', pushName: 'Sender' });
    device = result.device;
    deviceJid = result.paired.deviceJid;
  });

  afterAll(async () => {
    device?.sock.end(undefined);
    await sim?.close();
  });

  /**
   * The error code Baileys reports for our message: as a `messages.update` to status ERROR, or
   * folded into the message's own upsert when the error ack came before Baileys emitted it.
   */
  const errorOf = (id: string | null | undefined) => {
    const update = device.updates.find((u) => u.key.id === id && u.update.status === 0);
    if (update) return update.update.messageStubParameters?.[0];
    const upsert = device.upserts.find(
      (m) => m.key.id === id && (m.status === 0 || String(m.status) === 'ERROR'),
    );
    return upsert?.messageStubParameters?.[0];
  };
  const waitForError = (id: string | null | undefined) => eventually(() => errorOf(id), 10_000, 'error ack');

  it('the reach-out restriction refuses new contacts with 463 and keeps established chats', async () => {
    const known = sim.contact('15550006001', { name: 'Known' });
    const wrote = sim.contact('15550006002', { name: 'Wrote first' });
    const stranger = sim.contact('15550006003', { name: 'Stranger' });
    const before = await device.sock.sendMessage(known.jid, { text: 'we talked before' });
    await known.waitForMessage((m) => m.id === before?.key.id);
    await wrote.sendText(deviceJid, 'hello, it is me');
    const refused: string[] = [];
    sim.on('message-refused', (event) => refused.push(`${event.to} ${event.error}`));

    sim.restrictReachOut('15550006000');
    const cold = await device.sock.sendMessage(stranger.jid, { text: 'cold outreach' });
    expect(await waitForError(cold?.key.id)).toBe('463');
    expect(refused).toEqual([`${stranger.jid} 463`]);

    const warm = await device.sock.sendMessage(known.jid, { text: 'still fine' });
    expect(textOf((await known.waitForMessage((m) => m.id === warm?.key.id)).message)).toBe('still fine');
    const reply = await device.sock.sendMessage(wrote.jid, { text: 'answering you' });
    expect(textOf((await wrote.waitForMessage((m) => m.id === reply?.key.id)).message)).toBe('answering you');

    sim.restrictReachOut(deviceJid, false);
    const later = await device.sock.sendMessage(stranger.jid, { text: 'after the lock' });
    expect(textOf((await stranger.waitForMessage((m) => m.id === later?.key.id)).message)).toBe(
      'after the lock',
    );
    // the refused message never reached the stranger
    expect(stranger.received.map((m) => textOf(m.message))).toEqual(['after the lock']);
  });

  it('failSends refuses every message of the device with the given error until cleared', async () => {
    const friend = sim.contact('15550006004', { name: 'Friend' });
    sim.failSends(deviceJid, '479');
    const failed = await device.sock.sendMessage(friend.jid, { text: 'will fail' });
    expect(await waitForError(failed?.key.id)).toBe('479');
    sim.failSends(deviceJid, null);
    const ok = await device.sock.sendMessage(friend.jid, { text: 'works again' });
    expect(textOf((await friend.waitForMessage((m) => m.id === ok?.key.id)).message)).toBe('works again');
    expect(friend.received).toHaveLength(1);
  });

  it('the admin API sets both faults', async () => {
    const post = (path: string, body: object) =>
      fetch(`${sim.adminUrl}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
    expect(await post('/faults/reach-out', { account: '15550006000', restricted: true })).toEqual({
      ok: true,
    });
    const stranger = sim.contact('15550006005');
    const cold = await device.sock.sendMessage(stranger.jid, { text: 'x' });
    expect(await waitForError(cold?.key.id)).toBe('463');
    await post('/faults/reach-out', { account: '15550006000', restricted: false });
    expect(await post('/faults/send-errors', { deviceJid, error: '479' })).toEqual({ ok: true });
    const failed = await device.sock.sendMessage(stranger.jid, { text: 'y' });
    expect(await waitForError(failed?.key.id)).toBe('479');
    await post('/faults/send-errors', { deviceJid, error: null });
    expect(await post('/faults/reach-out', { account: 'nobody' })).toMatchObject({ code: 'SIM_BAD_REQUEST' });
  });
});
