import { type GroupMetadata, type MessageUserReceiptUpdate, proto } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GroupInfo,
  type SimContact,
  type Simulator,
  startSimulator,
  trustSimulatorRoot,
} from '../src/index.js';
import { eventually, pairDevice, type TestDevice, textOf } from './helpers.js';

const PHONE = '15550004444';

describe('groups with sender keys', () => {
  let sim: Simulator;
  let device: TestDevice;
  let deviceJid: string;
  let alice: SimContact;
  let bob: SimContact;
  let carol: SimContact;
  let group: GroupInfo;
  const groupUpserts: GroupMetadata[] = [];
  const receipts: MessageUserReceiptUpdate[] = [];
  const errors: Error[] = [];

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
    sim.on('error', (error) => errors.push(error));
    const result = await pairDevice(sim, { phoneNumber: PHONE, pushName: 'Gateway' });
    device = result.device;
    deviceJid = result.paired.deviceJid;
    device.sock.ev.on('groups.upsert', (groups) => groupUpserts.push(...groups));
    device.sock.ev.on('message-receipt.update', (updates) => receipts.push(...updates));
    alice = sim.contact('15550005001', { name: 'Alice' });
    bob = sim.contact('15550005002', { name: 'Bob' });
    carol = sim.contact('15550005003', { name: 'Carol' });
    group = sim.createGroup({
      subject: 'Team',
      participants: [alice, bob, carol, PHONE],
      admins: [bob],
      description: 'sim group',
    });
  });

  afterAll(async () => {
    device?.sock.end(undefined);
    await sim?.close();
  });

  it('creates a group, notifies the device and answers metadata / participating queries', async () => {
    expect(group.jid).toMatch(/^120363\d{12}@g\.us$/);
    expect(group.participants.map((p) => [p.jid, p.admin])).toEqual([
      [alice.jid, 'superadmin'],
      [bob.jid, 'admin'],
      [carol.jid, null],
      [`${PHONE}@s.whatsapp.net`, null],
    ]);
    const upserted = await eventually(() => groupUpserts.find((g) => g.id === group.jid), 5_000, 'create');
    expect(upserted.subject).toBe('Team');
    const meta = await device.sock.groupMetadata(group.jid);
    expect(meta).toMatchObject({
      id: group.jid,
      subject: 'Team',
      owner: alice.jid,
      desc: 'sim group',
      size: 4,
      addressingMode: 'pn',
    });
    expect(meta.participants).toEqual([
      { id: alice.jid, lid: alice.lid, admin: 'superadmin', phoneNumber: undefined, username: undefined },
      { id: bob.jid, lid: bob.lid, admin: 'admin', phoneNumber: undefined, username: undefined },
      { id: carol.jid, lid: carol.lid, admin: null, phoneNumber: undefined, username: undefined },
      {
        id: `${PHONE}@s.whatsapp.net`,
        lid: sim.accounts()[0]!.lid,
        admin: null,
        phoneNumber: undefined,
        username: undefined,
      },
    ]);
    const all = await device.sock.groupFetchAllParticipating();
    expect(Object.keys(all)).toEqual([group.jid]);
    await expect(device.sock.groupMetadata('120363000000000000@g.us')).rejects.toMatchObject({
      message: 'item-not-found',
      data: 404,
    });
  });

  it('delivers group messages from several participants (skdm via pkmsg, then skmsg only)', async () => {
    const a1 = await alice.sendGroupText(group.jid, 'hello team');
    const b1 = await bob.sendGroupText(group.jid, 'hi from Bob', { quotedId: a1 });
    const a2 = await alice.sendGroupText(group.jid, 'second from Alice');
    const upsert = (id: string) =>
      eventually(() => device.upserts.find((m) => m.key.id === id && m.message), 10_000, id);
    const [one, two, three] = await Promise.all([upsert(a1), upsert(b1), upsert(a2)]);
    expect(one.key).toMatchObject({
      remoteJid: group.jid,
      fromMe: false,
      participant: alice.jid,
      participantAlt: alice.lid,
    });
    expect(textOf(one.message)).toBe('hello team');
    expect(one.pushName).toBe('Alice');
    expect(two.key).toMatchObject({ remoteJid: group.jid, participant: bob.jid });
    expect(two.message?.extendedTextMessage).toMatchObject({
      text: 'hi from Bob',
      contextInfo: { stanzaId: a1, participant: alice.jid },
    });
    expect(three.key).toMatchObject({ remoteJid: group.jid, participant: alice.jid });
    expect(textOf(three.message)).toBe('second from Alice');
    // the sender key went to the device once (in alice's first message), later ones are skmsg only
    expect([...(sim.groups.get(group.jid)?.distributed.get(alice.peer) ?? [])]).toEqual([
      deviceJid.replace(/:(\d+)@.*/, '_$1'),
    ]);
  });

  it('decrypts a device group text as every simulated participant and returns receipts', async () => {
    const first = await device.sock.sendMessage(group.jid, { text: 'hello from the gateway' });
    const second = await device.sock.sendMessage(group.jid, { text: 'again' });
    for (const member of [alice, bob, carol]) {
      const got = await member.waitForMessage((m) => m.group === group.jid && m.id === first?.key.id);
      expect(textOf(got.message)).toBe('hello from the gateway');
      expect(got).toMatchObject({ from: deviceJid, to: group.jid, recipient: member.jid });
      const again = await member.waitForMessage((m) => m.group === group.jid && m.id === second?.key.id);
      expect(textOf(again.message)).toBe('again');
    }
    await alice.react(group.jid, first!.key.id!, '👍');
    const reaction = await eventually(() => device.reactions.find((r) => r.reaction.text === '👍'));
    expect(reaction.key).toMatchObject({ remoteJid: group.jid, id: first?.key.id, fromMe: true });
    expect(reaction.reaction.key).toMatchObject({ participant: alice.jid });
    const own = sim.messages.find((m) => m.id === first?.key.id && m.ownCopy);
    expect(textOf(own?.message)).toBe('hello from the gateway');
    await eventually(
      () =>
        receipts.filter((r) => r.key.id === first?.key.id && r.receipt.readTimestamp).length === 3 ||
        undefined,
      5_000,
      'read receipts',
    );
    const readers = receipts
      .filter((r) => r.key.id === first?.key.id && r.receipt.readTimestamp)
      .map((r) => r.receipt.userJid)
      .sort();
    expect(readers).toEqual([alice.jid, bob.jid, carol.jid].sort());
  });

  it('lets the device create and manage a group', async () => {
    const dave = '15550005004@s.whatsapp.net';
    const meta = await device.sock.groupCreate('Gateway group', [alice.jid, dave]);
    expect(meta.subject).toBe('Gateway group');
    expect(meta.owner).toBe(`${PHONE}@s.whatsapp.net`);
    expect(meta.participants.map((p) => [p.id, p.admin])).toEqual([
      [`${PHONE}@s.whatsapp.net`, 'superadmin'],
      [alice.jid, null],
      [dave, null],
    ]);
    const daveContact = sim.contact('15550005004');
    const sent = await device.sock.sendMessage(meta.id, { text: 'welcome' });
    for (const member of [alice, daveContact]) {
      const got = await member.waitForMessage((m) => m.group === meta.id && m.id === sent?.key.id);
      expect(textOf(got.message)).toBe('welcome');
    }

    const added = await device.sock.groupParticipantsUpdate(meta.id, [bob.jid, alice.jid], 'add');
    expect(added.map((r) => [r.jid, r.status])).toEqual([
      [bob.jid, '200'],
      [alice.jid, '409'],
    ]);
    await device.sock.groupParticipantsUpdate(meta.id, [dave], 'remove');
    await device.sock.groupParticipantsUpdate(meta.id, [alice.jid], 'promote');
    await device.sock.groupUpdateSubject(meta.id, 'Renamed');
    const code = await device.sock.groupInviteCode(meta.id);
    const revoked = await device.sock.groupRevokeInvite(meta.id);
    expect(code).toMatch(/^[\w-]{22}$/);
    expect(revoked).not.toBe(code);
    expect(sim.group(meta.id)).toMatchObject({
      subject: 'Renamed',
      inviteCode: revoked,
      participants: [
        { jid: `${PHONE}@s.whatsapp.net`, admin: 'superadmin' },
        { jid: alice.jid, admin: 'admin' },
        { jid: bob.jid, admin: null },
      ],
    });
    const bobText = await bob.sendGroupText(meta.id, 'thanks for adding me');
    const got = await eventually(() => device.upserts.find((m) => m.key.id === bobText && m.message));
    expect(got.key).toMatchObject({ remoteJid: meta.id, participant: bob.jid });
    expect(textOf(got.message)).toBe('thanks for adding me');

    await device.sock.groupLeave(meta.id);
    expect(sim.group(meta.id)?.participants.map((p) => p.jid)).toEqual([alice.jid, bob.jid]);
    await expect(device.sock.groupUpdateSubject(meta.id, 'x')).rejects.toMatchObject({
      message: 'forbidden',
      data: 403,
    });
  });

  it('had no decryption failures on either side', () => {
    expect(errors).toEqual([]);
    expect(
      device.upserts.filter((m) => m.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT),
    ).toEqual([]);
  });
});
