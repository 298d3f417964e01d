import { randomBytes } from 'node:crypto';
import { downloadMediaMessage, proto, WAMessageStubType } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimContact, type Simulator, startSimulator, trustSimulatorRoot } from '../src/index.js';
import { eventually, pairDevice, type TestDevice, textOf } from './helpers.js';

const { Type } = proto.Message.ProtocolMessage;

describe('media, reactions, edits and revokes', () => {
  let sim: Simulator;
  let device: TestDevice;
  let deviceJid: string;
  let alice: SimContact;

  beforeAll(async () => {
    sim = await startSimulator();
    trustSimulatorRoot(sim);
    const paired = await pairDevice(sim, { phoneNumber: '15550101010' });
    device = paired.device;
    deviceJid = paired.paired.deviceJid;
    alice = sim.contact('15550202020', { name: 'Alice' });
  });

  afterAll(async () => {
    device?.sock.end(undefined);
    await sim?.close();
  });

  const upsert = (id: string) =>
    eventually(() => device.upserts.find((m) => m.key.id === id), 10_000, `upsert ${id}`);

  it('uploads outbound media over HTTPS; the simulator decrypts identical bytes', async () => {
    const bytes = randomBytes(20_000);
    const sent = await device.sock.sendMessage(alice.jid, {
      document: bytes,
      mimetype: 'application/pdf',
      fileName: 'report.pdf',
    });
    const got = await alice.waitForMessage((m) => m.id === sent?.key.id);
    const doc = got.message.documentMessage!;
    expect(doc.fileName).toBe('report.pdf');
    expect(doc.directPath).toMatch(/^\/v\/t62\//);
    expect(sim.readUploadedMedia(doc, 'document').equals(bytes)).toBe(true);
  });

  it('serves inbound media by url; Baileys downloads identical bytes', async () => {
    const bytes = randomBytes(12_345);
    const id = await alice.sendMedia(deviceJid, {
      kind: 'image',
      data: bytes,
      mimetype: 'image/jpeg',
      caption: 'pic',
    });
    const message = await upsert(id);
    expect(message.message?.imageMessage?.caption).toBe('pic');
    const downloaded = await downloadMediaMessage(message, 'buffer', {});
    expect(Buffer.compare(downloaded as Buffer, bytes)).toBe(0);
  });

  it('quoted replies carry the quoted id both ways', async () => {
    const inbound = await alice.sendText(deviceJid, 'question?');
    const message = await upsert(inbound);
    const sent = await device.sock.sendMessage(alice.jid, { text: 'answer' }, { quoted: message });
    const got = await alice.waitForMessage((m) => m.id === sent?.key.id);
    expect(got.message.extendedTextMessage?.contextInfo?.stanzaId).toBe(inbound);
    const reply = await alice.sendText(deviceJid, 'thanks', { quotedId: sent!.key.id! });
    const replied = await upsert(reply);
    expect(replied.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(sent?.key.id);
    expect(replied.message?.extendedTextMessage?.text).toBe('thanks');
  });

  it('reactions both ways', async () => {
    const inbound = await alice.sendText(deviceJid, 'react to me');
    const message = await upsert(inbound);
    const reaction = await device.sock.sendMessage(alice.jid, { react: { text: '👍', key: message.key } });
    const got = await alice.waitForMessage((m) => m.id === reaction?.key.id);
    expect(got.message.reactionMessage).toMatchObject({ text: '👍', key: { id: inbound } });

    const sent = await device.sock.sendMessage(alice.jid, { text: 'like this' });
    await alice.waitForMessage((m) => m.id === sent?.key.id);
    await alice.react(deviceJid, sent!.key.id!, '❤️');
    const seen = await eventually(
      () => device.reactions.find((r) => r.key.id === sent?.key.id),
      10_000,
      'reaction',
    );
    expect(seen.reaction.text).toBe('❤️');
    expect(seen.key.fromMe).toBe(true);
  });

  it('edits both ways', async () => {
    const sent = await device.sock.sendMessage(alice.jid, { text: 'typo' });
    await alice.waitForMessage((m) => m.id === sent?.key.id);
    const edit = await device.sock.sendMessage(alice.jid, { text: 'fixed', edit: sent!.key });
    const got = await alice.waitForMessage((m) => m.id === edit?.key.id);
    const protocol = got.message.protocolMessage ?? got.message.editedMessage?.message?.protocolMessage;
    expect(protocol?.type).toBe(Type.MESSAGE_EDIT);
    expect(protocol?.key?.id).toBe(sent?.key.id);
    expect(textOf(protocol?.editedMessage)).toBe('fixed');

    const inbound = await alice.sendText(deviceJid, 'oops');
    await upsert(inbound);
    await alice.edit(deviceJid, inbound, 'better');
    const update = await eventually(
      () => device.updates.find((u) => u.key.id === inbound && u.update.message),
      10_000,
      'edit update',
    );
    const edited = update.update.message?.editedMessage?.message;
    expect(textOf(edited?.protocolMessage?.editedMessage ?? edited)).toBe('better');
  });

  it('revokes both ways', async () => {
    const sent = await device.sock.sendMessage(alice.jid, { text: 'delete me' });
    const targetId = sent!.key.id;
    await alice.waitForMessage((m) => m.id === targetId);
    // Baileys reuses the key object it is given for the revoke stanza, so copy it
    const revoke = await device.sock.sendMessage(alice.jid, { delete: { ...sent!.key } });
    const got = await alice.waitForMessage((m) => m.id === revoke?.key.id);
    expect(got.message.protocolMessage?.type).toBe(Type.REVOKE);
    expect(got.message.protocolMessage?.key?.id).toBe(targetId);
    expect(revoke?.key.id).not.toBe(targetId);

    const inbound = await alice.sendText(deviceJid, 'regret');
    await upsert(inbound);
    await alice.revoke(deviceJid, inbound);
    const update = await eventually(
      () => device.updates.find((u) => u.key.id === inbound && u.update.messageStubType !== undefined),
      10_000,
      'revoke update',
    );
    expect(update.update.messageStubType).toBe(WAMessageStubType.REVOKE);
  });
});
