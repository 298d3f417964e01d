import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSettings } from '../src/contracts/session.js';
import { eventsOf, type Harness, startGateway } from './helpers.js';

const caller = '15550009999@s.whatsapp.net';
let h: Harness;
afterEach(() => h.gateway.stop());

async function open(settings: Partial<SessionSettings> = {}) {
  h = await startGateway();
  const session = await h.gateway.sessions.create({ name: 'main', settings });
  await h.gateway.sessions.connect(session.id);
  const control = h.fake.session(session.id);
  await control.open();
  return { session, control };
}

const offer = (callId: string, status = 'offer') =>
  ({ type: 'call', callId, from: caller, isVideo: false, isGroup: false, status }) as const;

// wa-sim does not simulate calls or status broadcasts, so these settings are proven here, on
// the gateway's side of the connector port (the Baileys connector maps `call` events 1:1).
describe('session settings at the connector port', () => {
  it('rejectCalls: rejects an offered call, sends rejectCallMessage and announces call.received rejected', async () => {
    const { control } = await open({
      rejectCalls: true,
      rejectCallMessage: 'I cannot take calls, write instead',
    });
    await control.emit(offer('CALL1'));
    expect(control.callsOf('rejectCall')).toEqual([{ method: 'rejectCall', args: ['CALL1', caller] }]);
    expect(control.sends.map((s) => ({ to: s.to, content: s.content }))).toEqual([
      { to: caller, content: { type: 'text', to: caller, text: 'I cannot take calls, write instead' } },
    ]);
    // Later updates of the same call (ringing, timeout...) are not rejected again.
    await control.emit(offer('CALL1', 'timeout'));
    expect(control.callsOf('rejectCall')).toHaveLength(1);
    expect((await eventsOf(h.store, 'call.received')).map((e) => e.data)).toEqual([
      { callId: 'CALL1', from: caller, isVideo: false, isGroup: false, status: 'offer', rejected: true },
      { callId: 'CALL1', from: caller, isVideo: false, isGroup: false, status: 'timeout', rejected: false },
    ]);
  });

  it('rejectCalls without a message rejects silently; without rejectCalls a call only is announced', async () => {
    const { session, control } = await open({ rejectCalls: true });
    await control.emit(offer('CALL2'));
    expect(control.callsOf('rejectCall')).toHaveLength(1);
    expect(control.sends).toEqual([]);

    await h.gateway.sessions.update(session.id, { settings: { rejectCalls: false } });
    await control.emit(offer('CALL3'));
    expect(control.callsOf('rejectCall')).toHaveLength(1);
    expect(control.sends).toEqual([]);
    const calls = (await eventsOf(h.store, 'call.received')).map(
      (e) => e.data as { callId: string; rejected: boolean },
    );
    expect(calls.map(({ callId, rejected }) => ({ callId, rejected }))).toEqual([
      { callId: 'CALL2', rejected: true },
      { callId: 'CALL3', rejected: false },
    ]);
  });

  it('ignoreStatus is on by default: a status@broadcast message is neither stored nor announced', async () => {
    const { session, control } = await open();
    expect(session.settings.ignoreStatus).toBe(true);
    await control.inbound({ waid: 'STORY', chatId: 'status@broadcast', senderJid: caller });
    await control.inbound({ waid: 'DIRECT', chatId: caller, senderJid: caller });
    expect((await h.store.messages.list(session.id)).items.map((m) => m.waid)).toEqual(['DIRECT']);
    const announced = await eventsOf(h.store, 'message.received', 'chat.upserted');
    expect(announced.length).toBeGreaterThan(0);
    expect(JSON.stringify(announced)).not.toContain('status@broadcast');
    expect(await h.store.chats.get(session.id, 'status@broadcast')).toBeNull();
  });
});
