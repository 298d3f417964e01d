import type { BaileysEventMap } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator, trustSimulatorRoot } from '../src/index.js';
import { eventually, openSocket, pairDevice, type TestDevice, textOf, waitForOpen } from './helpers.js';

type HistorySet = BaileysEventMap['messaging-history.set'];
type Dispatch = (options: { origin?: string | URL }, handler: unknown) => boolean;

/** Routes Baileys' media downloads (`https://mmg.whatsapp.net/...`) to the simulator's plain-HTTP media host. */
const mediaDispatcher = (sim: Simulator) => {
  const global = (globalThis as Record<symbol, { dispatch: Dispatch } | undefined>)[
    Symbol.for('undici.globalDispatcher.1')
  ];
  if (!global) throw new Error('no global undici dispatcher');
  return {
    dispatch: ((options, handler) =>
      global.dispatch({ ...options, origin: sim.media.httpBase }, handler)) satisfies Dispatch,
  };
};

describe('history sync from the phone to a Baileys companion', () => {
  let sim: Simulator;
  let device: TestDevice;
  let deviceJid: string;
  const sets: HistorySet[] = [];

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
    const paired = await pairDevice(sim, { phoneNumber: '15550004444', pushName: 'Gateway' });
    deviceJid = paired.paired.deviceJid;
    await fetch(sim.media.httpBase); // makes Node create its global undici dispatcher
    // Reopen with history sync accepted (the pairing helper refuses it).
    paired.device.sock.end(undefined);
    await paired.device.closed;
    device = openSocket(sim, paired.device.auth, {
      shouldSyncHistoryMessage: () => true,
      options: { dispatcher: mediaDispatcher(sim) } as never,
    });
    device.sock.ev.on('messaging-history.set', (set) => sets.push(set));
    await waitForOpen(device);
  });

  afterAll(async () => {
    device?.sock.end(undefined);
    await sim?.close();
  });

  it('delivers an INITIAL_BOOTSTRAP sync (inline payload) as messaging-history.set', async () => {
    const sent = await sim.sendHistorySync(deviceJid, {
      conversations: [
        {
          jid: '15550005555@s.whatsapp.net',
          name: 'Alice',
          messages: [
            { fromMe: false, text: 'hi from the past', id: 'HIST-A1', timestamp: 1_700_000_000 },
            { fromMe: true, text: 'old reply', id: 'HIST-A2', timestamp: 1_700_000_060 },
          ],
        },
        { jid: '15550006666@s.whatsapp.net', messages: [{ fromMe: false, text: 'from Bob' }] },
      ],
    });
    const set = await eventually(() => sets[0], 15_000, 'messaging-history.set');
    expect(set.syncType).toBe(0); // INITIAL_BOOTSTRAP
    expect(set.isLatest).toBe(true);
    expect(set.chats.map((chat) => chat.id).sort()).toEqual([
      '15550005555@s.whatsapp.net',
      '15550006666@s.whatsapp.net',
    ]);
    expect(set.contacts).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: '15550005555@s.whatsapp.net', name: 'Alice' })]),
    );
    const byId = new Map(set.messages.map((message) => [message.key.id, message]));
    expect(set.messages).toHaveLength(3);
    const first = byId.get('HIST-A1');
    expect(first?.key).toMatchObject({ remoteJid: '15550005555@s.whatsapp.net', fromMe: false });
    expect(textOf(first?.message)).toBe('hi from the past');
    expect(Number(first?.messageTimestamp)).toBe(1_700_000_000);
    expect(first?.pushName).toBe('Alice');
    const reply = byId.get('HIST-A2');
    expect(reply?.key.fromMe).toBe(true);
    expect(textOf(reply?.message)).toBe('old reply');
    const bob = sent.messages.find((message) => message.chatJid === '15550006666@s.whatsapp.net');
    expect(textOf(byId.get(bob?.id)?.message)).toBe('from Bob');
    // History is not a live message: nothing of it arrives as messages.upsert.
    expect(device.upserts.filter((message) => byId.has(message.key.id))).toEqual([]);
  });

  it('downloads a RECENT chunk from the media server (md-msg-hist) when it is not inline', async () => {
    const before = sets.length;
    const sent = await sim.sendHistorySync(deviceJid, {
      syncType: 'RECENT',
      chunkOrder: 2,
      conversations: [
        {
          jid: '15550007777@s.whatsapp.net',
          name: 'Carol',
          messages: [{ fromMe: true, text: 'downloaded history', timestamp: 1_690_000_000 }],
        },
      ],
    });
    const set = await eventually(() => sets[before], 15_000, 'second messaging-history.set');
    expect(set.syncType).toBe(3); // RECENT
    expect(set.isLatest).toBe(false);
    expect(set.chunkOrder).toBe(2);
    expect(set.chats.map((chat) => chat.id)).toEqual(['15550007777@s.whatsapp.net']);
    expect(
      set.messages.map((message) => [message.key.id, message.key.fromMe, textOf(message.message)]),
    ).toEqual([[sent.messages[0]?.id, true, 'downloaded history']]);
    expect(Number(set.messages[0]?.messageTimestamp)).toBe(1_690_000_000);
  });
});
