import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { eventsOf, waitFor } from './stack.js';

type Receipt = { from: string; to: string; ids: string[]; type: string | undefined };

// Settings act on the socket and on ingest, not on storage: one backend is enough.
describe('session settings honoured with real Baileys on wa-sim', () => {
  let stack: ServerStack;
  const receipts: Receipt[] = [];
  /** Receipts a paired device sent for message `waid`. */
  const receiptsFor = (deviceJid: string, waid: string) =>
    receipts.filter((r) => r.from === deviceJid && r.ids.includes(waid));

  beforeAll(async () => {
    stack = await startServerStack('pglite');
    stack.sim.on('receipt', (receipt) => receipts.push(receipt));
  });
  afterAll(() => stack?.close());

  it('ignoreGroups: a group message the device received is not stored until the setting is off', async () => {
    const { id, session } = await pairOverHttp(stack, 'no-groups', '15553330001', {
      settings: { ignoreGroups: true },
    });
    const alice = stack.sim.contact('15553339001', { name: 'Alice' });
    const group = stack.sim.createGroup({ subject: 'Ignored', participants: [alice, '15553330001'] });
    const ignored = await alice.sendGroupText(group.jid, 'not for the gateway');
    // Baileys acknowledges the message once it decrypted and handed it to the gateway.
    await waitFor(() => receiptsFor(session.deviceJid, ignored).length > 0, 20_000, 'group receipt');
    const direct = await alice.sendText(session.deviceJid, 'direct, after the group message');
    await waitFor(
      () => stack.store.messages.getByWaid(id, '15553339001@s.whatsapp.net', direct),
      20_000,
      'direct message',
    );
    expect(await stack.store.messages.getByWaid(id, group.jid, ignored)).toBeNull();
    const received = (await eventsOf(stack.store, 'message.received', id)).map(
      (e) => (e.data as { message: { chatId: string } }).message.chatId,
    );
    expect(received).toEqual(['15553339001@s.whatsapp.net']);

    const patched = await stack.api('PATCH', `/v1/sessions/${id}`, { settings: { ignoreGroups: false } });
    expect(patched.body.settings.ignoreGroups).toBe(false);
    const kept = await alice.sendGroupText(group.jid, 'now stored');
    const stored = await waitFor(
      () => stack.store.messages.getByWaid(id, group.jid, kept),
      20_000,
      'group message after the setting changed',
    );
    expect(stored).toMatchObject({ chatId: group.jid, content: { text: 'now stored' } });
  });

  it('markRead: the contact gets a read receipt for every inbound message; without it only delivery', async () => {
    const reader = await pairOverHttp(stack, 'reader', '15553330002', { settings: { markRead: true } });
    const quiet = await pairOverHttp(stack, 'quiet', '15553330003');
    const bob = stack.sim.contact('15553339002', { name: 'Bob' });

    const toReader = await bob.sendText(reader.session.deviceJid, 'read me');
    const read = await waitFor(
      () => receiptsFor(reader.session.deviceJid, toReader).find((r) => r.type === 'read'),
      20_000,
      'read receipt',
    );
    expect(read.to).toBe('15553339002@s.whatsapp.net');

    const toQuiet = await bob.sendText(quiet.session.deviceJid, 'leave me unread');
    await waitFor(
      () => stack.store.messages.getByWaid(quiet.id, '15553339002@s.whatsapp.net', toQuiet),
      20_000,
      'stored',
    );
    await waitFor(() => receiptsFor(quiet.session.deviceJid, toQuiet).length > 0, 20_000, 'delivery receipt');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiptsFor(quiet.session.deviceJid, toQuiet).map((r) => r.type)).not.toContain('read');
  });

  it('alwaysOnline: the device announces itself available on connect; otherwise unavailable', async () => {
    const presences: { deviceJid: string | undefined; type: string | undefined }[] = [];
    stack.sim.on('presence', (p) => presences.push(p));
    const online = await pairOverHttp(stack, 'online', '15553330004', { settings: { alwaysOnline: true } });
    const offline = await pairOverHttp(stack, 'offline', '15553330005');
    // availability presences carry a type; Baileys also sends a typeless one when it learns the name
    const globalOf = (deviceJid: string) =>
      presences.filter((p) => p.deviceJid === deviceJid && p.type).map((p) => p.type);
    await waitFor(
      () => globalOf(online.session.deviceJid).length > 0 && globalOf(offline.session.deviceJid).length > 0,
      20_000,
      'presences',
    );
    expect(new Set(globalOf(online.session.deviceJid))).toEqual(new Set(['available']));
    expect(new Set(globalOf(offline.session.deviceJid))).toEqual(new Set(['unavailable']));
  });
});
